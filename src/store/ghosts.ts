import type { Execution } from '../protocol/types.js';
import { LOST_CONTACT, TRACKER_DIED } from './reasons.js';
import type { Store } from './store.js';

/** Options of {@link reapGhosts}. Times in ms. */
export interface ReapOptions {
  /** This machine's host name, as the wrapper records it. */
  host: string;
  /** The reader's clock, ms since epoch UTC. */
  now: number;
  /** A `Running` execution not seen for this long is `lost contact`. */
  staleMs: number;
  /** Whether the wrapper PID still lives; default `process.kill(pid, 0)` (ESRCH = gone). */
  isAlive?: (pid: number) => boolean;
}

/**
 * Ghost detection for the embedded reader (issue 3 point 3): a `Running` execution whose wrapper
 * ran on this host and whose PID is gone becomes `Exec crushed` (`tracker died`) at once; any other
 * `Running` one not seen for `staleMs` becomes `Exec crushed` (`lost contact`). Both end at their
 * last sign of life. Returns `execs` with the changed ones re-read from the store.
 */
export async function reapGhosts(store: Store, execs: Execution[], options: ReapOptions): Promise<Execution[]> {
  const isAlive = options.isAlive ?? pidAlive;
  const running = execs.filter((e) => e.state === 'Running');
  if (running.length === 0) return execs;
  const dead = running.filter((e) => e.host === options.host && e.pid !== null && !isAlive(e.pid)).map((e) => e.id);
  const changed = new Set(await store.markLost(Number.MAX_SAFE_INTEGER, TRACKER_DIED, dead));
  const others = running.map((e) => e.id).filter((id) => !changed.has(id));
  for (const id of await store.markLost(options.now - options.staleMs, LOST_CONTACT, others)) changed.add(id);
  if (changed.size === 0) return execs;
  return Promise.all(execs.map(async (e) => (changed.has(e.id) ? ((await store.getExecution(e.id)) ?? e) : e)));
}

/** Whether a process with that PID exists on this host (EPERM counts: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
