import { DEFAULTS } from '../defaults.js';
import { withHomeLock } from '../config/home-lock.js';
import { openSettings } from '../config/settings.js';
import { ExecTrackError } from '../errors.js';
import { isId, newId } from '../protocol/ids.js';
import type { Session } from '../protocol/types.js';
import type { Store } from '../store/store.js';

/**
 * The current session of the embedded store, the one both a plain `run` and a plain `report` use:
 * the session the config names (the last one used or picked with `session use`) if it still exists,
 * else the newest session; undefined when the store holds none.
 */
export async function currentLocalSession(store: Store, env: NodeJS.ProcessEnv = process.env): Promise<Session | undefined> {
  const current = openSettings(env).get('currentSession');
  return (current ? await store.getSession(current) : undefined) ?? (await store.listSessions(null))[0];
}

/**
 * Resolves `run --session <id|title>` against the embedded store and makes the result the current
 * session (the last session used is current, like `git checkout`):
 * - an `s_…` id must exist;
 * - a title gives the newest session with that title, created when there is none;
 * - nothing gives the current session ({@link currentLocalSession}), else a new one titled `default`.
 * Creation is serialised across processes (parallel `run`s on a fresh store share one session).
 * @throws ExecTrackError NOT_FOUND for an unknown session id.
 */
export async function resolveLocalSession(store: Store, ref: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Session> {
  const session = await pick(store, ref, env);
  await makeCurrent(session.id, env);
  return session;
}

/**
 * `exec-track session use <id|title>` on the embedded store: makes an existing session (by id, or
 * the newest of a title) the current one and returns it.
 * @throws ExecTrackError NOT_FOUND when no session has that id or title.
 */
export async function useLocalSession(store: Store, ref: string, env: NodeJS.ProcessEnv = process.env): Promise<Session> {
  const session = isId('s', ref) ? await store.getSession(ref) : await store.findSessionByTitle(ref, null);
  if (!session)
    throw ExecTrackError.of('NOT_FOUND', {
      thing: `session ${isId('s', ref) ? ref : `titled "${ref}"`} in the embedded store`,
      hint: 'run `exec-track sessions` to list them',
    });
  await makeCurrent(session.id, env);
  return session;
}

async function pick(store: Store, ref: string | undefined, env: NodeJS.ProcessEnv): Promise<Session> {
  if (ref !== undefined && isId('s', ref)) {
    const session = await store.getSession(ref);
    if (!session) {
      throw ExecTrackError.of('NOT_FOUND', { thing: `session ${ref} in the embedded store`, hint: 'run `exec-track sessions` to list them' });
    }
    return session;
  }
  if (ref === undefined) {
    const current = await currentLocalSession(store, env);
    if (current) return current;
  }
  const title = ref ?? DEFAULTS.sessionTitle;
  const find = () => store.findSessionByTitle(title, null);
  return (await find()) ?? (await withHomeLock(env, 'session-create', async () => (await find()) ?? (await addSession(store, title))));
}

/**
 * Creates a session titled `title` in the embedded store and makes it the current one
 * (`exec-track session new`).
 */
export async function createLocalSession(store: Store, title: string, env: NodeJS.ProcessEnv = process.env): Promise<Session> {
  const session = await addSession(store, title);
  await makeCurrent(session.id, env);
  return session;
}

async function makeCurrent(id: string, env: NodeJS.ProcessEnv): Promise<void> {
  const settings = openSettings(env);
  if (settings.get('currentSession') !== id) await settings.set('currentSession', id);
}

function addSession(store: Store, title: string): Promise<Session> {
  return store.createSession({ id: newId('s'), title, createdAt: Date.now(), ownerId: null });
}
