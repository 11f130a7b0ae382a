import type { Readable, Writable } from 'node:stream';

/** After the command exited: stop waiting for its pipes after this many idle ticks without data. */
const IDLE_TICKS = 10;
/** …or after this many ticks in all (a background process may keep the pipe open forever). */
const MAX_TICKS = 100;
const TICK_MS = 100;
/** A read shorter than this (bytes) is a dribble… */
const COALESCE_BELOW = 16 * 1024;
/** …and this many dribbles in a row, each within RAPID_MS (ms) of the last, are a flood worth coalescing. */
const RAPID_READS = 8;
const RAPID_MS = 4;
/** How long to let the pipe fill before reading again (ms); the pipe buffer (64 KiB) holds far more. */
const COALESCE_MS = 1;

/**
 * Copies one of the command's output pipes to our terminal byte for byte while handing every
 * chunk to `capture` with its read time (ms since epoch UTC).
 *
 * - Backpressure: when the terminal side cannot take more, reading pauses until it drains, so the
 *   command runs at the speed the terminal allows, as it would without the wrapper.
 * - EPIPE (`exec-track run … | head`): the reader went away, so we stop reading and close our end
 *   of the command's pipe; on a real pipe (src/runner/pipes.ts) the command's next write then gets
 *   SIGPIPE/EPIPE exactly as it would without us (on the socketpair fallback: ECONNRESET).
 *   Never throws.
 */
export class Tee {
  readonly #source: Readable;
  readonly #target: Writable;
  readonly #pauses = new Set<string>();
  readonly closed: Promise<void>;
  #targetGone = false;
  #dataSeen = false;
  #rapidReads = 0;
  #lastDribble = 0;

  constructor(source: Readable, target: Writable, capture: (chunk: Buffer, ts: number) => void) {
    this.#source = source;
    this.#target = target;
    this.closed = new Promise((resolve) => source.once('close', resolve));
    source.on('error', () => undefined);
    target.on('error', this.#onTargetError);
    source.on('data', (chunk: Buffer) => {
      const ts = Date.now();
      this.#dataSeen = true;
      if (!this.#targetGone && !target.write(chunk)) {
        this.pause('drain');
        target.once('drain', () => this.resume('drain'));
      }
      capture(chunk, ts);
      if (chunk.length < COALESCE_BELOW && source.readableHighWaterMark <= 1) this.#dribble(ts);
      else this.#rapidReads = 0;
    });
  }

  /**
   * A command printing line by line (unbuffered Python, a progress bar) wakes a waiting reader on
   * every write; each wake-up costs the writer time in the kernel. Not waiting on the pipe for a
   * moment lets its writes land in the pipe buffer without waking anyone (issue 6, B1: 200 000
   * unbuffered Python prints took 1.6 s wrapped without this, 0.96 s with it, 0.86 s bare). Only for
   * sources that stop reading while paused (highWaterMark ≤ 1, src/runner/pipes.ts): a stream that
   * kept reading into its buffer would hand over one small chunk per pause and stall the command.
   */
  #dribble(ts: number): void {
    this.#rapidReads = ts - this.#lastDribble < RAPID_MS ? this.#rapidReads + 1 : 0;
    this.#lastDribble = ts;
    // only a flood: a command printing now and then is read at once, which keeps its stdout and
    // stderr lines in the order it wrote them (a pause on one pipe lets the other overtake it)
    if (this.#rapidReads < RAPID_READS || this.#pauses.has('coalesce')) return;
    this.pause('coalesce');
    setTimeout(() => this.resume('coalesce'), COALESCE_MS);
  }

  /** Stops reading for `reason` until {@link resume} with the same reason. */
  pause(reason: string): void {
    this.#pauses.add(reason);
    this.#source.pause();
  }

  resume(reason: string): void {
    this.#pauses.delete(reason);
    if (this.#pauses.size === 0 && !this.#source.destroyed) this.#source.resume();
  }

  /**
   * Call once the command has exited: resolves when the pipe has closed, or — if some background
   * process still holds it — after about a second without data (at most ~10 s), closing our end.
   * Paused time does not count.
   */
  async drain(): Promise<void> {
    let idle = 0;
    let ticks = 0;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setInterval(() => {
        if (this.#pauses.size > 0) return;
        idle = this.#dataSeen ? 0 : idle + 1;
        this.#dataSeen = false;
        ticks += 1;
        if (idle >= IDLE_TICKS || ticks >= MAX_TICKS) resolve();
      }, TICK_MS);
    });
    await Promise.race([this.closed, gaveUp]);
    clearInterval(timer);
    this.#source.destroy();
    this.#target.off('error', this.#onTargetError);
  }

  readonly #onTargetError = (error: NodeJS.ErrnoException): void => {
    if (this.#targetGone) return;
    this.#targetGone = true;
    this.resume('drain');
    // EPIPE and friends: the reader is gone; the command must see its own pipe close
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED' || error.code === 'EIO') this.#source.destroy();
  };
}
