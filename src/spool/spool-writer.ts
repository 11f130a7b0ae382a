import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, spoolDir } from '../config/paths.js';
import { AckedFile } from './acked-file.js';
import { LINES_FILE, readLineSpan, writeAlive, writeMeta, type LineSpan, type SpoolMeta } from './spool-files.js';
import type { ReportLine } from '../protocol/types.js';

/** Buffered bytes that trigger a synchronous write (bytes). */
const FLUSH_BYTES = 64 * 1024;
/** Longest time an appended line waits in memory before reaching the file (ms). */
const FLUSH_MS = 20;
/** At most one index entry (seq → byte offset, at a flush) per this many lines: memory stays ~2 numbers per 1024 lines. */
const INDEX_EVERY = 1024;

/**
 * The write-ahead spool of one execution (layout in spool-files.ts). Every captured line is
 * appended here before it is sent. Appends are buffered and written through one fd (synchronously
 * at {@link FLUSH_BYTES}, else within {@link FLUSH_MS}), so the wrapper keeps up with the child.
 * Lines must arrive in seq order without gaps (the runner's numbering); a sparse index lets
 * {@link readLines} seek by seq without holding lines in memory, and a cursor makes the usual
 * in-order reads start exactly where the last one ended.
 */
export class SpoolWriter {
  readonly dir: string;
  #meta: SpoolMeta;
  readonly #fd: number;
  #readFd: number | undefined;
  readonly #acked: AckedFile;
  #pending: string[] = [];
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #firstSeq = -1;
  #count = 0;
  #fileBytes = 0;
  /** seq of the first line of a flush, and its byte offset (parallel arrays, ascending). */
  readonly #indexSeq: number[] = [];
  readonly #indexOffset: number[] = [];
  /** Where the last {@link readLines} ended. */
  #cursor = { seq: -1, offset: 0 };
  #closed = false;

  private constructor(dir: string, meta: SpoolMeta) {
    this.dir = dir;
    this.#meta = meta;
    this.#fd = openSync(join(dir, LINES_FILE), 'a', 0o600);
    this.#acked = new AckedFile(dir);
  }

  /** Creates the spool directory of `meta.execution.id` under `spoolDir(env)` and writes its meta. */
  static create(meta: SpoolMeta, env: NodeJS.ProcessEnv = process.env): SpoolWriter {
    const dir = join(spoolDir(env), meta.execution.id);
    ensureDir(dir);
    writeMeta(dir, meta);
    return new SpoolWriter(dir, meta);
  }

  get meta(): Readonly<SpoolMeta> {
    return this.#meta;
  }

  /** Appends one line (buffered; cheap). */
  append(line: ReportLine): void {
    const json = JSON.stringify(line);
    if (this.#firstSeq < 0) this.#firstSeq = line.seq;
    this.#count++;
    this.#pending.push(json);
    // UTF-16 length: exact for ASCII, and a flush threshold needs no more (Buffer.byteLength per line
    // cost ~90 ms per 1M lines; B7's peak RSS measured the same either way, 92 vs 95 MB)
    this.#pendingBytes += json.length + 1;
    if (this.#pendingBytes >= FLUSH_BYTES) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  /** Writes buffered lines to the file. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0 || this.#closed) return;
    const chunk = Buffer.from(`${this.#pending.join('\n')}\n`);
    const seq = this.#firstSeq + this.#count - this.#pending.length;
    if (this.#indexSeq.length === 0 || seq - this.#indexSeq.at(-1)! >= INDEX_EVERY) {
      this.#indexSeq.push(seq);
      this.#indexOffset.push(this.#fileBytes);
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    let written = 0;
    while (written < chunk.length) written += writeSync(this.#fd, chunk, written);
    this.#fileBytes += chunk.length;
  }

  /**
   * Up to `maxLines` JSON lines (at most `maxBytes`, but always one) from `fromSeq` as they are in the
   * file; flushes first, so whatever is returned is on disk (write-ahead). Empty past the last line.
   * The bytes are a view of memory from `memory(size)` (at least `size` bytes), so a caller can read
   * into memory it wraps in place and reuses (the sender's frames, src/sink/frame-buffers.ts).
   */
  readLines(fromSeq: number, maxLines: number, maxBytes: number, memory: (size: number) => Buffer = Buffer.allocUnsafe): LineSpan {
    const rel = fromSeq - this.#firstSeq;
    if (this.#firstSeq < 0 || rel < 0 || rel >= this.#count) return { bytes: Buffer.alloc(0), count: 0, end: 0 };
    this.flush();
    this.#readFd ??= openSync(join(this.dir, LINES_FILE), 'r');
    let { seq, offset } = this.#cursor;
    if (seq !== fromSeq) {
      const slot = lastAtOrBefore(this.#indexSeq, fromSeq);
      seq = this.#indexSeq[slot]!;
      offset = this.#indexOffset[slot]!;
    }
    // sized from the average spooled line, so one read usually covers the span
    const lineBytes = this.#fileBytes / this.#count;
    const firstRead = Math.min(maxBytes, Math.ceil(lineBytes * (fromSeq - seq + maxLines) * 1.1)) + 4096;
    const span = readLineSpan(this.#readFd, offset, fromSeq - seq, maxLines, maxBytes, firstRead, memory);
    this.#cursor = { seq: fromSeq + span.count, offset: span.end };
    return span;
  }

  /** Records the highest seq the server confirmed storing. */
  setAcked(seq: number): void {
    if (!this.#closed) this.#acked.write(seq);
  }

  /** Records a heartbeat of the wrapper (ms since epoch UTC): the end `sync` gives a run whose wrapper died. */
  markAlive(at: number): void {
    if (!this.#closed) writeAlive(this.dir, at);
  }

  /** Merges `patch` into meta.json. */
  updateMeta(patch: Partial<SpoolMeta>): void {
    this.#meta = { ...this.#meta, ...patch };
    if (!this.#closed) writeMeta(this.dir, this.#meta);
  }

  /** Flushes and closes the files; the directory stays for `exec-track sync`. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    closeSync(this.#fd);
    if (this.#readFd !== undefined) closeSync(this.#readFd);
    this.#acked.close();
  }

  /** Closes and deletes the directory: the execution is finished and fully acked. */
  remove(): void {
    this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Index of the last element of ascending `sorted` that is ≤ `value` (sorted[0] ≤ value). */
function lastAtOrBefore(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid]! <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
