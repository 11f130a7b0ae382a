import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ACKED_FILE } from './spool-files.js';

/** Characters of the `acked` file: any seq fits, so each rewrite covers the previous one. */
const ACKED_WIDTH = 20;

/**
 * The one writer of a spool entry's `acked` file (the highest seq the server confirmed storing;
 * layout in spool-files.ts, read by `readAcked`), used by both `run` (SpoolWriter) and `sync`.
 * One fd rewritten in place at offset 0, padded to a fixed width (readAcked's Number() ignores the
 * spaces): writeFileSync's open+truncate per ack cost ~2.6 s per 1M lines in server mode (issue 6, B3).
 */
export class AckedFile {
  readonly #path: string;
  #fd: number | undefined;

  constructor(dir: string) {
    this.#path = join(dir, ACKED_FILE);
  }

  /** Records `seq` (-1: the server holds nothing). */
  write(seq: number): void {
    this.#fd ??= openSync(this.#path, 'w', 0o600);
    writeSync(this.#fd, String(seq).padEnd(ACKED_WIDTH), 0);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
