import { LOST_CONTACT } from '../store/reasons.js';
import type { ServerContext } from './context.js';

/**
 * The ghost sweeper (issue 3 point 3): a `Running` execution with no live stream socket and no
 * heartbeat (ping or frame) for the heartbeat timeout becomes `Exec crushed`, reason `lost contact`.
 * After a (re)start nothing is swept for one full timeout, so wrappers of a restarted server get
 * that long to reconnect (DESIGN §7).
 */
export class GhostSweeper {
  readonly #ctx: ServerContext;
  readonly #startedAt: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(ctx: ServerContext) {
    this.#ctx = ctx;
    this.#startedAt = ctx.clock();
  }

  /** Sweeps every quarter timeout (at least every 250 ms). */
  start(): void {
    const every = Math.max(250, Math.floor(this.#ctx.options.heartbeatTimeoutMs / 4));
    this.#timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.#ctx.log(`exec-track: heartbeat sweep failed: ${error instanceof Error ? error.message : 'unknown'}`));
    }, every);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One sweep at the clock's now; returns the ids marked lost. */
  async sweep(): Promise<string[]> {
    const { store, options, clock, bus, live } = this.#ctx;
    const now = clock();
    if (now - this.#startedAt < options.heartbeatTimeoutMs) return [];
    // an open stream socket is contact in itself, even while the wrapper has nothing to say
    for (const id of await live.ids()) await store.touchExecution(id, now);
    const lost = await store.markLost(now - options.heartbeatTimeoutMs, LOST_CONTACT);
    for (const id of lost) {
      const execution = await store.getExecution(id);
      if (execution) bus.executionChanged(execution);
    }
    return lost;
  }
}
