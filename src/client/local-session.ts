import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDir, homeDir } from '../config/paths.js';
import { openSettings } from '../config/settings.js';
import { ExecTrackError } from '../errors.js';
import { isId, newId } from '../protocol/ids.js';
import type { Session } from '../protocol/types.js';
import type { Store } from '../store/store.js';

/** Title of the session used when none is given and none is current. */
export const DEFAULT_SESSION_TITLE = 'default';
/** A creation lock older than this is left over from a dead process and is taken over (ms). */
const STALE_LOCK_MS = 10_000;

/**
 * Resolves `run --session <id|title>` against the embedded store:
 * - an `s_…` id must exist;
 * - a title gives the newest session with that title, created when there is none;
 * - nothing gives the current session (`session new` sets it) if it still exists, else the one titled
 *   `default`, created when missing.
 * Creation is serialised across processes (parallel `run`s on a fresh store share one session).
 * @throws ExecTrackError NOT_FOUND for an unknown session id.
 */
export async function resolveLocalSession(store: Store, ref: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Session> {
  if (ref !== undefined && isId('s', ref)) {
    const session = await store.getSession(ref);
    if (!session) {
      throw new ExecTrackError('NOT_FOUND', `No session ${ref} in the embedded store; run \`exec-track sessions\` to list them.`);
    }
    return session;
  }
  if (ref === undefined) {
    const current = openSettings(env).get('currentSession');
    const session = current ? await store.getSession(current) : undefined;
    if (session) return session;
  }
  const title = ref ?? DEFAULT_SESSION_TITLE;
  return (await store.findSessionByTitle(title, null)) ?? (await withCreationLock(env, async () => (await store.findSessionByTitle(title, null)) ?? (await addSession(store, title))));
}

/**
 * Creates a session titled `title` in the embedded store and makes it the current one
 * (`exec-track session new`).
 */
export async function createLocalSession(store: Store, title: string, env: NodeJS.ProcessEnv = process.env): Promise<Session> {
  const session = await addSession(store, title);
  openSettings(env).set('currentSession', session.id);
  return session;
}

function addSession(store: Store, title: string): Promise<Session> {
  return store.createSession({ id: newId('s'), title, createdAt: Date.now(), ownerId: null });
}

/** Runs `fn` holding a lock directory under EXEC_TRACK_HOME (mkdir is atomic). */
async function withCreationLock<T>(env: NodeJS.ProcessEnv, fn: () => Promise<T>): Promise<T> {
  const home = homeDir(env);
  const lock = join(home, 'session-create.lock');
  ensureDir(home);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (lockAge(lock) > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      else await sleep(10 + Math.random() * 20);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockAge(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
