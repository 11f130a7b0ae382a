import type { ServerContext } from './context.js';
import type { GhostSweeper } from './heartbeat.js';

const HOUR_MS = 3_600_000;

/**
 * Retention (issue 4 point 5): at start and hourly, deletes sessions that the server received
 * nothing new into for longer than `retentionMs` (by the server's clock: src/store/retention.ts),
 * with everything in them, and idle users with nothing left. A session with a `Running` execution
 * whose wrapper is still heard from is kept whatever its age; a silent one is swept to
 * `Exec crushed` first (the ghost sweep), and then counts like any ended one. Off when `retentionMs` is 0.
 */
export class RetentionJob {
  readonly #ctx: ServerContext;
  readonly #sweeper: GhostSweeper;
  #timer: NodeJS.Timeout | undefined;

  constructor(ctx: ServerContext, sweeper: GhostSweeper) {
    this.#ctx = ctx;
    this.#sweeper = sweeper;
  }

  /** Runs once now, then every hour. */
  start(): void {
    if (this.#ctx.options.retentionMs <= 0) return;
    const tick = () => {
      this.run().catch((error: unknown) => this.#ctx.log(`exec-track: retention purge failed: ${error instanceof Error ? error.message : 'unknown'}`));
    };
    tick();
    this.#timer = setInterval(tick, HOUR_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One purge at the clock's now; returns what was deleted. */
  async run(): Promise<{ sessions: number; users: number }> {
    const { store, options, clock } = this.#ctx;
    if (options.retentionMs <= 0) return { sessions: 0, users: 0 };
    await this.#sweeper.sweep();
    return store.purge(clock() - options.retentionMs);
  }
}
