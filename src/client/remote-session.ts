import { newId, isId } from '../protocol/ids.js';
import type { ApiClient } from './api.js';

/** A session resolved for a run; `title` is null when it was named by id (then it already exists). */
export interface ResolvedSession {
  id: string;
  title: string | null;
}

/**
 * Resolves `--session <id|title>` on a server without needing the server: an id is taken as is;
 * with none, the server's current session (`session new`) or the title `default`. A title resolves
 * through the config's title → id map, else the server's session list, else a freshly minted id
 * (created on the server when it can be reached). The mapping is remembered so later runs, online
 * or offline, land in the same session.
 */
export async function resolveRemoteSession(api: ApiClient, wanted: string | undefined): Promise<ResolvedSession> {
  const stored = api.credentials.get();
  const value = wanted ?? stored.currentSession ?? 'default';
  if (isId('s', value)) return { id: value, title: null };
  const known = stored.sessionTitles?.[value];
  if (known) return { id: known, title: value };
  let id: string | undefined;
  try {
    id = (await api.listSessions()).find((s) => s.title === value)?.id;
  } catch {
    // offline: a new id now, the session is created once the server answers
  }
  id ??= newId('s');
  api.credentials.rememberTitle(value, id);
  return { id, title: value };
}
