import { ExecTrackError, isExecTrackError } from '../errors.js';
import { newId, isId } from '../protocol/ids.js';
import type { ApiClient } from './api.js';

/** A session resolved for a run; `title` is null when it was named by id (then it already exists). */
export interface ResolvedSession {
  id: string;
  title: string | null;
}

/**
 * Resolves `--session <id|title>` on a server without needing the server: an id is taken as is once
 * the server, if it answers, confirms it exists (one it cannot confirm is spooled; one it refuses
 * later is set aside, docs/reliability.md);
 * with none, the server's current session (`session new`) or the title `default`. A title resolves
 * through the config's title → id map, else the server's session list, else a freshly minted id
 * (created on the server when it can be reached). The mapping is remembered so later runs, online
 * or offline, land in the same session.
 * @throws ExecTrackError NOT_FOUND when the server answers that an `s_…` id does not exist.
 */
export async function resolveRemoteSession(api: ApiClient, wanted: string | undefined): Promise<ResolvedSession> {
  const stored = api.credentials.get();
  const value = wanted ?? stored.currentSession ?? 'default';
  if (isId('s', value)) {
    await confirmExists(api, value);
    return { id: value, title: null };
  }
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

/** Throws NOT_FOUND when the server says the session does not exist; any other trouble is left to the spool. */
async function confirmExists(api: ApiClient, id: string): Promise<void> {
  try {
    await api.getSession(id);
  } catch (error) {
    if (isExecTrackError(error) && error.code === 'NOT_FOUND') {
      throw new ExecTrackError('NOT_FOUND', `No session ${id} on the server ${api.server}; run \`exec-track sessions\` to list yours, or give a title to create one.`);
    }
  }
}
