/**
 * Which executions have a live stream socket right now: the ghost sweeper counts an open socket as
 * contact. Sockets depend on this interface only, so a registry shared by several server instances
 * (a socket may be open on another one) can replace {@link InProcessLiveStreams}.
 */
export interface LiveStreams {
  /** A stream socket for `executionId` opened. */
  add(executionId: string): void;
  /** A stream socket for `executionId` closed (one `delete` per `add`). */
  delete(executionId: string): void;
  /** Executions with at least one live stream socket. */
  ids(): Promise<string[]>;
}

/** The {@link LiveStreams} of one server process: a count of open sockets per execution. */
export class InProcessLiveStreams implements LiveStreams {
  readonly #counts = new Map<string, number>();

  add(executionId: string): void {
    this.#counts.set(executionId, (this.#counts.get(executionId) ?? 0) + 1);
  }

  delete(executionId: string): void {
    const count = (this.#counts.get(executionId) ?? 1) - 1;
    if (count > 0) this.#counts.set(executionId, count);
    else this.#counts.delete(executionId);
  }

  async ids(): Promise<string[]> {
    return [...this.#counts.keys()];
  }
}

/**
 * The writes still in flight on this process's stream sockets, awaited on shutdown so nothing
 * acknowledged is left unflushed. Always per process (it holds promises).
 */
export class InflightWrites {
  readonly #inflight = new Set<Promise<unknown>>();

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
