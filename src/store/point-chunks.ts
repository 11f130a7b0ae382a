import type { MetricPoint } from '../protocol/types.js';
import type { PointColumns } from './store.js';

/** Numbers per encoded point: step, seq, ts, value. */
const FIELDS = 4;
/** Last byte of a compact blob; its odd length tells it from the float64 layout (always 32·n bytes). */
const COMPACT = 2;

/**
 * Encodes points given as flat (step, seq, ts, value) quadruples (seq ascending) into a blob, in
 * the machine's byte order (little-endian on every platform Node ships for). Two layouts:
 * - compact, when every step is a whole number in int32 range and every seq and ts lies within
 *   int32 of the first point's: float64 first seq, float64 first ts, then the n values (float64),
 *   steps (int32), seq offsets (int32) and ts offsets (int32), then one byte 2 — 17 + 20·n bytes
 *   instead of 32·n (issue 6, B3m: SQLite's write time follows the bytes);
 * - otherwise float64 quadruples; steps, seqs and ms timestamps are safe integers, so float64
 *   holds them exactly.
 * NaN and ±Infinity values survive either way.
 */
export function encodePoints(flat: readonly number[]): Buffer {
  return compact(flat) ?? float64s(flat);
}

function compact(flat: readonly number[]): Buffer | null {
  const n = flat.length / FIELDS;
  const bytes = new ArrayBuffer(17 + 20 * n);
  const head = new Float64Array(bytes, 0, 2 + n);
  const ints = new Int32Array(bytes, 16 + 8 * n, 3 * n);
  const firstSeq = flat[1]!;
  const firstTs = flat[2]!;
  head[0] = firstSeq;
  head[1] = firstTs;
  for (let i = 0, o = 0; i < n; i++, o += FIELDS) {
    const step = flat[o]!;
    const seqOffset = flat[o + 1]! - firstSeq;
    const tsOffset = flat[o + 2]! - firstTs;
    if (!fitsInt32(step) || !fitsInt32(seqOffset) || !fitsInt32(tsOffset)) return null;
    head[2 + i] = flat[o + 3]!;
    ints[i] = step;
    ints[n + i] = seqOffset;
    ints[2 * n + i] = tsOffset;
  }
  new Uint8Array(bytes)[bytes.byteLength - 1] = COMPACT;
  return Buffer.from(bytes);
}

function float64s(flat: readonly number[]): Buffer {
  const floats = Float64Array.from(flat);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
}

function fitsInt32(x: number): boolean {
  return (x | 0) === x;
}

/** Appends the points of one blob of series `key` whose seq is greater than `afterSeq` to `out`. */
export function decodePoints(key: string, blob: Buffer, out: MetricPoint[], afterSeq = -1): void {
  const c = emptyColumns(pointCount(blob));
  decodeColumnsAt(blob, c, 0);
  for (let i = 0; i < c.seq.length; i++) {
    if (c.seq[i]! > afterSeq) out.push({ key, step: c.step[i]!, seq: c.seq[i]!, ts: c.ts[i]!, value: c.value[i]! });
  }
}

/** Columns for `n` points (zeros until written). */
export function emptyColumns(n: number): PointColumns {
  return { step: new Float64Array(n), seq: new Float64Array(n), ts: new Float64Array(n), value: new Float64Array(n) };
}

/** How many points a blob holds (either layout). */
export function pointCount(blob: Buffer): number {
  return blob.byteLength % 2 === 1 ? (blob.byteLength - 17) / 20 : blob.byteLength / (8 * FIELDS);
}

/**
 * Writes the points of one blob into `out` from index `at` on, in stored order, and returns the
 * index after them: typed columns sized beforehand with {@link pointCount}, no object and no
 * array growth per point (what a million-point chart read needs).
 */
export function decodeColumnsAt(blob: Buffer, out: PointColumns, at: number): number {
  const b = viewOf(blob);
  if (b.compact) {
    const { n, head, ints } = b;
    const seq0 = head[0]!;
    const ts0 = head[1]!;
    out.value.set(head.subarray(2, 2 + n), at);
    for (let i = 0; i < n; i++) {
      out.step[at + i] = ints[i]!;
      out.seq[at + i] = seq0 + ints[n + i]!;
      out.ts[at + i] = ts0 + ints[2 * n + i]!;
    }
    return at + n;
  }
  const f = b.floats;
  for (let i = 0, o = 0; i < b.n; i++, o += FIELDS) {
    out.step[at + i] = f[o]!;
    out.seq[at + i] = f[o + 1]!;
    out.ts[at + i] = f[o + 2]!;
    out.value[at + i] = f[o + 3]!;
  }
  return at + b.n;
}

type BlobView = { compact: true; n: number; head: Float64Array; ints: Int32Array } | { compact: false; n: number; floats: Float64Array };

/** Typed views on a blob of either layout; the bytes are copied only when not 8-byte aligned (a blob from SQLite need not be). */
function viewOf(blob: Buffer): BlobView {
  const aligned = blob.byteOffset % 8 === 0;
  const bytes = aligned ? blob.buffer : new Uint8Array(blob).buffer;
  const offset = aligned ? blob.byteOffset : 0;
  const n = pointCount(blob);
  if (blob.byteLength % 2 === 1)
    return { compact: true, n, head: new Float64Array(bytes, offset, 2 + n), ints: new Int32Array(bytes, offset + 16 + 8 * n, 3 * n) };
  return { compact: false, n, floats: new Float64Array(bytes, offset, n * FIELDS) };
}
