/**
 * The in-memory tail of the serialised lines not yet acked, capped at `capacity` lines: when it
 * overflows the oldest lines leave memory (they stay in the spool, where resends read them back).
 * Lines enter in seq order without gaps.
 */
export class LineWindow {
  readonly #capacity: number;
  #lines: string[] = [];
  #head = 0;
  /** seq of `#lines[#head]`. */
  #startSeq = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  push(seq: number, json: string): void {
    if (this.#head === this.#lines.length) {
      this.#lines = [];
      this.#head = 0;
      this.#startSeq = seq;
    }
    this.#lines.push(json);
    if (this.#lines.length - this.#head > this.#capacity) this.#drop(1);
  }

  /** Up to `max` lines from `fromSeq`, or undefined when line `fromSeq` is not in memory (read the spool). */
  get(fromSeq: number, max: number): string[] | undefined {
    if (fromSeq < this.#startSeq || fromSeq >= this.#startSeq + this.#lines.length - this.#head) return undefined;
    const start = this.#head + (fromSeq - this.#startSeq);
    return this.#lines.slice(start, start + max);
  }

  /** Forgets every line (nothing is being sent: the lines are in the spool). */
  clear(): void {
    this.#lines = [];
    this.#head = 0;
  }

  /** Forgets lines up to and including `seq` (acked). */
  dropThrough(seq: number): void {
    const count = Math.min(seq + 1 - this.#startSeq, this.#lines.length - this.#head);
    if (count > 0) this.#drop(count);
  }

  #drop(count: number): void {
    this.#head += count;
    this.#startSeq += count;
    // compact once the dead prefix outweighs the live lines, so memory follows the capacity
    if (this.#head > this.#capacity) {
      this.#lines = this.#lines.slice(this.#head);
      this.#head = 0;
    }
  }
}
