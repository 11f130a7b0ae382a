import { existsSync, readdirSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spoolDir } from '../config/paths.js';
import type { ExecutionBody } from '../client/api.js';
import { REJECTED_DIR } from './set-aside.js';
import type { Outcome } from '../protocol/types.js';
import type { AddNotificationBody } from '../protocol/notify.js';

/**
 * On-disk layout of the write-ahead spool (docs/reliability.md): one directory per execution under
 * `spoolDir()`, named by the execution id, holding
 * - `meta.json`: {@link SpoolMeta} (rewritten atomically via rename),
 * - `lines.ndjson`: every captured ReportLine as one JSON line, append-only, in seq order,
 * - `acked`: the highest seq the server confirmed storing (decimal text, space-padded; absent = none;
 *   written only through AckedFile),
 * - `alive`: the wrapper's last heartbeat (ms since epoch UTC, decimal text; rewritten every few
 *   seconds), so a wrapper killed with SIGKILL gets its real end, not the time of the later `sync`.
 */
export const META_FILE = 'meta.json';
export const LINES_FILE = 'lines.ndjson';
export const ACKED_FILE = 'acked';
export const ALIVE_FILE = 'alive';

/** What a spooled execution needs to be uploaded later by `exec-track sync`. */
export interface SpoolMeta {
  server: string;
  /** `title` is null when the session was given by id. */
  session: { id: string; title: string | null };
  execution: ExecutionBody;
  /** Set once the wrapper knows how the command ended; null while running or if the wrapper died. */
  outcome: Outcome | null;
  sessionCreated: boolean;
  executionCreated: boolean;
  /** PID of the wrapper writing this spool (a live wrapper's spool is not `sync`ed). */
  wrapperPid: number;
  /**
   * The run's own notification rules (`run --notify`), registered on the server once the execution
   * exists there, by the wrapper or a later `sync` (absent in spools of older builds: none).
   */
  notify?: RunRule[];
  /** How many of `notify` the server holds (registered in order, one at a time). */
  notifyRegistered?: number;
}

/** A rule of `run --notify`: the body of POST /api/v1/sessions/:id/notifications without the execution id (this one's). */
export type RunRule = Omit<AddNotificationBody, 'executionId'>;

/** A spooled execution found on disk. */
export interface SpoolEntry {
  dir: string;
  meta: SpoolMeta;
}

export function readMeta(dir: string): SpoolMeta {
  return JSON.parse(readFileSync(join(dir, META_FILE), 'utf8')) as SpoolMeta;
}

export function writeMeta(dir: string, meta: SpoolMeta): void {
  const tmp = join(dir, `${META_FILE}.tmp`);
  writeFileSync(tmp, JSON.stringify(meta), { mode: 0o600 });
  renameSync(tmp, join(dir, META_FILE));
}

/** Highest acked seq recorded in the spool, -1 when none. */
export function readAcked(dir: string): number {
  const file = join(dir, ACKED_FILE);
  return existsSync(file) ? Number(readFileSync(file, 'utf8')) : -1;
}

/** The wrapper's last heartbeat written to the spool (ms since epoch UTC), 0 when none. */
export function readAlive(dir: string): number {
  const file = join(dir, ALIVE_FILE);
  return existsSync(file) ? Number(readFileSync(file, 'utf8')) || 0 : 0;
}

export function writeAlive(dir: string, at: number): void {
  writeFileSync(join(dir, ALIVE_FILE), String(at), { mode: 0o600 });
}

/** Every spooled execution under `spoolDir()`, oldest first (directories without a readable meta are skipped). */
export function listSpool(env: NodeJS.ProcessEnv = process.env): SpoolEntry[] {
  const root = spoolDir(env);
  if (!existsSync(root)) return [];
  const entries: SpoolEntry[] = [];
  for (const name of readdirSync(root)) {
    // executions the server refused for good are set aside there (set-aside.ts)
    if (name === REJECTED_DIR) continue;
    const dir = join(root, name);
    try {
      entries.push({ dir, meta: readMeta(dir) });
    } catch {
      // a directory whose meta.json was never completed holds nothing uploadable
    }
  }
  return entries.sort((a, b) => a.meta.execution.startedAt - b.meta.execution.startedAt);
}

/** True while the wrapper that owns a spool entry is alive (then `sync` leaves the entry to it). */
export function isWrapperAlive(meta: SpoolMeta): boolean {
  try {
    process.kill(meta.wrapperPid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Spooled executions no live wrapper is working on: what `exec-track sync` would upload. */
export function pendingSpool(env: NodeJS.ProcessEnv = process.env): SpoolEntry[] {
  return listSpool(env).filter((entry) => !isWrapperAlive(entry.meta));
}

/** Number of executions waiting in the spool for `exec-track sync` (for `run`'s notice). */
export function pendingSpoolCount(env: NodeJS.ProcessEnv = process.env): number {
  return pendingSpool(env).length;
}

// a read covers one send batch (1000 lines of ~70 bytes), not 1 MiB: reading 1 MiB per batch was
// ~2 GB of reads and most of the wrapper's CPU for 1M lines in server mode (issue 6, B3)
const CHUNK_BYTES = 1 << 16;

/**
 * Reads up to `count` complete (newline-terminated) lines from byte `offset` of an open file.
 * Returns the raw lines and the offset just after the last one. A torn final line (a kill -9 in
 * the middle of a write) has no newline and is never returned.
 */
export function readRawLines(fd: number, offset: number, count: number): { lines: string[]; end: number } {
  const lines: string[] = [];
  let pos = offset;
  let size = CHUNK_BYTES;
  while (lines.length < count) {
    const buf = Buffer.allocUnsafe(size);
    const n = readSync(fd, buf, 0, size, pos);
    if (n === 0) break;
    const data = buf.subarray(0, n);
    let start = 0;
    let nl: number;
    while (lines.length < count && (nl = data.indexOf(10, start)) !== -1) {
      lines.push(data.toString('utf8', start, nl));
      start = nl + 1;
    }
    if (start === 0) {
      if (n < size) break;
      size *= 2; // one line longer than the chunk
      continue;
    }
    pos += start;
  }
  return { lines, end: pos };
}

/** Complete spooled lines read as bytes: `bytes` holds `count` JSON lines, each ending in `\n`. */
export interface LineSpan {
  bytes: Buffer;
  count: number;
  /** File offset just after the last line. */
  end: number;
}

/**
 * Reads from byte `offset` of an open spool file: skips `skip` lines, then takes up to `maxLines`
 * complete lines totalling at most `maxBytes` (the first line is always taken, however long). A torn
 * final line (no newline yet) is never returned. Bytes, not strings: the sender puts them on the
 * wire as they are, so no line is decoded or re-joined (~0.7 s per 1M lines, issue 6 B3).
 * `firstRead` (bytes) sizes the first read; a read that ends before the lines asked for is
 * repeated twice as large from where the lines start (reading maxBytes + 64 KiB for each ~60 KiB
 * frame was ~0.6 GB of reads per 1M lines, issue 6 B3). `buffer(size)` gives the memory to read
 * into (at least `size` bytes; the returned bytes are a view of it).
 */
export function readLineSpan(
  fd: number,
  offset: number,
  skip: number,
  maxLines: number,
  maxBytes: number,
  firstRead = CHUNK_BYTES,
  buffer: (size: number) => Buffer = Buffer.allocUnsafe,
): LineSpan {
  let size = Math.max(1024, firstRead);
  for (;;) {
    const buf = buffer(size).subarray(0, size);
    const data = buf.subarray(0, readSync(fd, buf, 0, size, offset));
    const full = data.length === size;
    let start = 0;
    let nl = 0;
    while (skip > 0 && (nl = data.indexOf(10, start)) !== -1) {
      start = nl + 1;
      skip--;
    }
    if (skip > 0) {
      if (!full) return { bytes: Buffer.alloc(0), count: 0, end: offset + start };
      // the skipped lines go past this read: go on from the last whole line
      offset += start;
      size = start === 0 ? size * 2 : size;
      continue;
    }
    let end = start;
    let count = 0;
    while (count < maxLines && (nl = data.indexOf(10, end)) !== -1 && (count === 0 || nl + 1 - start <= maxBytes)) {
      end = nl + 1;
      count++;
    }
    // the read ended before a whole first line, or before the lines asked for: read again, larger
    if (full && (count === 0 || (nl === -1 && count < maxLines && end - start < maxBytes))) {
      offset += start;
      size *= 2;
      continue;
    }
    return { bytes: data.subarray(start, end), count, end: offset + end };
  }
}
