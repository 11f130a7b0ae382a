import type { Writable } from 'node:stream';

/** Where a view writes: honours backpressure, and goes quiet once the reader has gone (`| head`). */
export interface Output {
  /** Resolves when the chunk may be followed by more (after `drain` when the buffer is full). */
  write(text: string): Promise<void>;
  /** True once the reader closed the pipe: further writes are dropped. */
  readonly closed: boolean;
  /** Width of the terminal in cells; Infinity when not a TTY (nothing needs to fit). */
  readonly columns: number;
  /** Height of the terminal in rows; 24 when unknown. */
  readonly rows: number;
}

/** Wraps a stream (stdout) as an {@link Output}. EPIPE and other write errors close it quietly. */
export function createOutput(stream: Writable & { isTTY?: boolean; columns?: number; rows?: number }): Output {
  let closed = false;
  stream.on('error', () => {
    closed = true;
  });
  return {
    get closed() {
      return closed;
    },
    columns: stream.isTTY ? (stream.columns ?? 80) : Number.POSITIVE_INFINITY,
    rows: stream.isTTY ? (stream.rows ?? 24) : 24,
    write(text) {
      if (closed || text === '') return Promise.resolve();
      return new Promise<void>((resolve) => {
        if (stream.write(text)) return resolve();
        const done = () => {
          stream.off('drain', done);
          stream.off('close', done);
          stream.off('error', done);
          resolve();
        };
        stream.on('drain', done);
        stream.on('close', done);
        stream.on('error', done);
      });
    },
  };
}
