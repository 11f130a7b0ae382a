import { ExecTrackError, isExecTrackError } from '../errors.js';
import { newId, isId } from '../protocol/ids.js';
import type { ApiClient } from '../client/api.js';
import { DEFAULTS } from '../defaults.js';

/** A session resolved for a run; `title` is null when it was named by an id this machine knows no title of. */
export interface ResolvedSession {
  id: string;
  title: string | null;
}

/**
 * Resolves `--session <id|title>` on a server without needing the server, and makes the result the
 * current session of that server (the last session used is current, like `git checkout`; a plain
 * `report` shows it). With none given: the current session, else this user's newest session on the
 * server, else the title `default`. A title resolves through the config's title → id map, else the
 * server's session list, else a freshly minted id (created on the server when it can be reached).
 * The mapping is remembered, first writer wins, so later and parallel runs, online or offline, land
 * in the same session.
 * An `s_…` id given explicitly is taken as is once the server, if it answers, confirms it exists (one
 * it cannot confirm is spooled; one it refuses later is set aside, docs/reliability.md).
 * @throws ExecTrackError NOT_FOUND when the server answers that an `s_…` id does not exist.
 */
export async function resolveRemoteSession(api: ApiClient, wanted: string | undefined): Promise<ResolvedSession> {
  const resolved = await resolve(api, wanted);
  if (api.credentials.get().currentSession !== resolved.id) await api.credentials.update({ currentSession: resolved.id });
  return resolved;
}

async function resolve(api: ApiClient, wanted: string | undefined): Promise<ResolvedSession> {
  const stored = api.credentials.get();
  const value = wanted ?? stored.currentSession ?? (await listed(api))[0]?.id ?? DEFAULTS.sessionTitle;
  if (isId('s', value)) {
    if (value === wanted) await confirmExists(api, value);
    return { id: value, title: titleOf(stored.sessionTitles, value) };
  }
  const known = stored.sessionTitles?.[value];
  if (known) return { id: known, title: value };
  const id = (await listed(api)).find((s) => s.title === value)?.id ?? newId('s');
  return { id: await api.credentials.claimTitle(value, id), title: value };
}

/** This user's sessions on the server, newest first; none when offline (the session is created once the server answers). */
async function listed(api: ApiClient): Promise<Array<{ id: string; title: string }>> {
  try {
    return await api.listSessions();
  } catch {
    return [];
  }
}

function titleOf(titles: Record<string, string> | undefined, id: string): string | null {
  return Object.entries(titles ?? {}).find(([, known]) => known === id)?.[0] ?? null;
}

/** Throws NOT_FOUND when the server says the session does not exist; any other trouble is left to the spool. */
async function confirmExists(api: ApiClient, id: string): Promise<void> {
  try {
    await api.getSession(id);
  } catch (error) {
    if (isExecTrackError(error) && error.code === 'NOT_FOUND') {
      throw ExecTrackError.of('NOT_FOUND', {
        thing: `session ${id} on the server ${api.server}`,
        hint: 'run `exec-track sessions` to list yours, or give a title to create one',
      });
    }
  }
}
