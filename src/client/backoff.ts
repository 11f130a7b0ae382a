/** Options of {@link Backoff}. Delays in ms. */
export interface BackoffOptions {
  /** First delay (default 100). */
  baseMs?: number;
  /** Largest delay (default 2 000). */
  capMs?: number;
  /** Random source in [0, 1) (injectable for tests). */
  random?: () => number;
}

/**
 * Exponential backoff with jitter for reconnects: attempt n waits a random time in
 * [½·d, d] where d = min(cap, base·2ⁿ) ("equal jitter", AWS Architecture Blog, "Exponential Backoff
 * and Jitter"), so clients that lost the same server do not return in lockstep.
 */
export class Backoff {
  readonly #base: number;
  readonly #cap: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#base = options.baseMs ?? 100;
    this.#cap = options.capMs ?? 2_000;
    this.#random = options.random ?? Math.random;
  }

  /** The delay before the next attempt (ms); each call counts one failed attempt. */
  next(): number {
    const ceiling = Math.min(this.#cap, this.#base * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.round(ceiling / 2 + (this.#random() * ceiling) / 2);
  }

  /** Back to the first delay (after a successful connection). */
  reset(): void {
    this.#attempt = 0;
  }
}
