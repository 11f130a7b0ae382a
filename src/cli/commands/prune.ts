import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { embeddedDbPath } from '../../config/paths.js';
import { parseDuration } from '../../config/duration.js';
import { openSettings } from '../../config/settings.js';
import { ExecTrackError } from '../../errors.js';
import { isId } from '../../protocol/ids.js';
import type { Execution } from '../../protocol/types.js';
import { reapGhosts } from '../../store/ghosts.js';
import { openStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';
import { countOf, formatCommand } from '../../report/format.js';
import { DEFAULTS } from '../../defaults.js';
import type { CommandIo } from '../io.js';

/**
 * `exec-track rm <id>`: deletes a session (with its executions, reports and metrics) or one execution
 * from the embedded store, and prints what it deleted to stdout. Embedded data is kept until the user
 * deletes it (issue 4 point 5); the server has its own retention instead. A running execution (its
 * wrapper alive: ghosts are settled first, src/store/ghosts.ts) is deleted only with `force`.
 *
 * @throws ExecTrackError USAGE (exit 2) when `id` is not shaped `s_…`/`e_…`; NOT_FOUND (exit 1) when
 *   nothing exists under it; STILL_RUNNING (exit 1) for a running execution without `force`.
 */
export async function rmCommand(id: string, opts: { force: boolean }, io: CommandIo): Promise<number> {
  const { env } = io;
  const kind = isId('s', id) ? 'session' : isId('e', id) ? 'execution' : undefined;
  if (!kind) {
    throw new ExecTrackError('USAGE', `"${id}" is not a session id (s_…) or an execution id (e_…); run \`exec-track sessions\` to list sessions.`);
  }
  const store = await openExisting(env);
  try {
    if (store && !opts.force)
      await refuseRunning(store, kind === 'session' ? await store.listExecutions(id) : [await store.getExecution(id)].filter((e) => e !== undefined));
    const deleted = store && (kind === 'session' ? await deleteSession(store, id) : await deleteExecution(store, id));
    if (!deleted) {
      throw ExecTrackError.of('NOT_FOUND', {
        thing: `${kind} ${id} found in the embedded store`,
        hint: 'check the id or run `exec-track sessions` to list sessions',
      });
    }
    if (kind === 'session') await forgetCurrentSession(env, (current) => current === id);
    io.stdout.write(`${deleted}\n`);
    return 0;
  } finally {
    await store?.close();
  }
}

/**
 * `exec-track prune --older-than <duration>`: deletes the embedded sessions whose last execution
 * started (or, with none, which were created) longer ago than the duration, with everything in
 * them, and prints how many were deleted. A session with a running execution is kept whatever its
 * age (ghosts are settled first, so a dead wrapper's execution does not keep it).
 *
 * @throws ExecTrackError USAGE (exit 2) when the duration does not parse (src/config/duration.ts).
 */
export async function pruneCommand(opts: { olderThan: string }, io: CommandIo): Promise<number> {
  const { env } = io;
  const cutoff = Date.now() - parseDuration(opts.olderThan, '--older-than');
  const store = await openExisting(env);
  try {
    const before = store ? await countAll(store) : { sessions: 0, executions: 0 };
    if (store) await settleGhosts(store, (await Promise.all((await store.listSessions(null)).map((s) => store.listExecutions(s.id)))).flat());
    if (store) await store.purge(cutoff);
    const after = store ? await countAll(store) : { sessions: 0, executions: 0 };
    if (store) {
      const remaining = new Set((await store.listSessions(null)).map((s) => s.id));
      await forgetCurrentSession(env, (current) => !remaining.has(current));
    }
    const sessions = before.sessions - after.sessions;
    const executions = before.executions - after.executions;
    io.stdout.write(`Deleted ${countOf(sessions, 'session')} and ${countOf(executions, 'execution')} older than ${opts.olderThan}.\n`);
    return 0;
  } finally {
    await store?.close();
  }
}

/** @throws ExecTrackError STILL_RUNNING naming the first of `executions` still running after ghosts are settled. */
async function refuseRunning(store: Store, executions: Execution[]): Promise<void> {
  const running = (await settleGhosts(store, executions)).find((e) => e.state === 'Running');
  if (!running) return;
  throw new ExecTrackError(
    'STILL_RUNNING',
    `Execution ${running.id} (${running.command.join(' ')}) is still running; wait until it ends, or add --force to delete it anyway (the rest of its output is then lost).`,
  );
}

// a `Running` execution whose wrapper is gone would otherwise block rm and prune for ever; one not
// seen for the heartbeat timeout counts as lost, as `report` decides (src/report/local-source.ts)
function settleGhosts(store: Store, executions: Execution[]): Promise<Execution[]> {
  return reapGhosts(store, executions, { host: hostname(), now: Date.now(), staleMs: DEFAULTS.heartbeatTimeoutMs });
}

/** The embedded store, or undefined when it was never created (rm and prune never create it). */
async function openExisting(env: NodeJS.ProcessEnv): Promise<Store | undefined> {
  const path = embeddedDbPath(env);
  return existsSync(path) ? openStore(path) : undefined;
}

async function deleteSession(store: Store, id: string): Promise<string | undefined> {
  const session = await store.getSession(id);
  if (!session) return undefined;
  const executions = await store.listExecutions(id);
  if (!(await store.deleteSession(id))) return undefined;
  return `Deleted session ${id} "${session.title}" and its ${countOf(executions.length, 'execution')}.`;
}

async function deleteExecution(store: Store, id: string): Promise<string | undefined> {
  const execution = await store.getExecution(id);
  if (!execution || !(await store.deleteExecution(id))) return undefined;
  return `Deleted execution ${id} (${formatCommand(execution.command)}) of session ${execution.sessionId}.`;
}

async function countAll(store: Store): Promise<{ sessions: number; executions: number }> {
  const sessions = await store.listSessions(null);
  let executions = 0;
  for (const s of sessions) executions += await store.countExecutions(s.id);
  return { sessions: sessions.length, executions };
}

// a deleted current session would make the next `run` record into an id that no longer exists
async function forgetCurrentSession(env: NodeJS.ProcessEnv, gone: (current: string) => boolean): Promise<void> {
  const settings = openSettings(env);
  const current = settings.get('currentSession');
  if (current && gone(current)) await settings.delete('currentSession');
}
