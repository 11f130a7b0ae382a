/**
 * Which executions have a live stream socket right now, and the writes still in flight on them
 * (awaited on shutdown so nothing acknowledged is left unflushed).
 */
export class LiveStreams {
  readonly #counts = new Map<string, number>();
  readonly #inflight = new Set<Promise<unknown>>();

  add(executionId: string): void {
    this.#counts.set(executionId, (this.#counts.get(executionId) ?? 0) + 1);
  }

  delete(executionId: string): void {
    const count = (this.#counts.get(executionId) ?? 1) - 1;
    if (count > 0) this.#counts.set(executionId, count);
    else this.#counts.delete(executionId);
  }

  /** Executions with at least one live stream socket. */
  ids(): string[] {
    return [...this.#counts.keys()];
  }

  /** Remembers a write until it settles. */
  track(work: Promise<unknown>): void {
    this.#inflight.add(work);
    void work.finally(() => this.#inflight.delete(work));
  }

  /** Resolves once every tracked write has settled. */
  async drain(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }
}
