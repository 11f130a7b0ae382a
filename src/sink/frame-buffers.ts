/** Smallest buffer kept for reuse (bytes): a 1 000-line frame of ~95-byte lines fits. */
const MIN_BYTES = 128 * 1024;
/**
 * Buffers kept for reuse at most: one send burst can put ~40 frames in flight before the first is
 * written (MAX_BUFFERED_BYTES in remote-sink.ts); 16 left ~25 000 page faults per 1M lines, 48 ~19 000.
 */
const MAX_FREE = 48;

/**
 * Memory for the sender's `lines` frames, reused once the socket has written a frame out: reading
 * each frame's lines into fresh memory cost a page fault per 4 KiB touched, ~18 000 per 1M lines and
 * a good part of the wrapper's system time (issue 6, B3).
 */
export class FrameBuffers {
  readonly #before: number;
  readonly #after: number;
  readonly #free: ArrayBuffer[] = [];

  /** Every buffer handed out has `before` free bytes ahead of it and `after` behind, for the frame's head and tail. */
  constructor(before: number, after: number) {
    this.#before = before;
    this.#after = after;
  }

  /** `size` bytes with the room around them, in memory no one else uses until {@link recycle}. */
  take(size: number): Buffer {
    const need = this.#before + size + this.#after;
    let memory = this.#free.pop();
    if (!memory || memory.byteLength < need) memory = new ArrayBuffer(Math.max(need, MIN_BYTES));
    return Buffer.from(memory, this.#before, size);
  }

  /** Gives back the memory of `frame` (any view of a taken buffer) once nothing reads it any more. */
  recycle(frame: Buffer): void {
    if (this.#free.length < MAX_FREE) this.#free.push(frame.buffer as ArrayBuffer);
  }
}
