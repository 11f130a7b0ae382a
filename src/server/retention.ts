import type { ServerContext } from './context.js';

const HOUR_MS = 3_600_000;

/**
 * Retention (issue 4 point 5): at start and hourly, deletes sessions whose last execution started
 * (or, with none, which were created) longer ago than `retentionMs`, with everything in them, and
 * idle users with nothing left. Off when `retentionMs` is 0.
 */
export class RetentionJob {
  readonly #ctx: ServerContext;
  #timer: NodeJS.Timeout | undefined;

  constructor(ctx: ServerContext) {
    this.#ctx = ctx;
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
    return store.purge(clock() - options.retentionMs);
  }
}
