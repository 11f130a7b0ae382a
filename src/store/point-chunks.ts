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
  forEachPoint(blob, afterSeq, (step, seq, ts, value) => out.push({ key, step, seq, ts, value }));
}

/** Appends the points of one blob to parallel arrays (no object per point: what a million-point chart read needs). */
export function decodeColumns(blob: Buffer, out: PointColumns): void {
  forEachPoint(blob, -1, (step, seq, ts, value) => {
    out.step.push(step);
    out.seq.push(seq);
    out.ts.push(ts);
    out.value.push(value);
  });
}

/** Calls `each` for every point of a blob whose seq is greater than `afterSeq`, in stored order. */
function forEachPoint(blob: Buffer, afterSeq: number, each: (step: number, seq: number, ts: number, value: number) => void): void {
  // Copy: typed-array views need alignment, which a blob from SQLite need not have.
  const bytes = new Uint8Array(blob).buffer;
  if (bytes.byteLength % 2 === 1) {
    const n = (bytes.byteLength - 17) / 20;
    const head = new Float64Array(bytes, 0, 2 + n);
    const ints = new Int32Array(bytes, 16 + 8 * n, 3 * n);
    for (let i = 0; i < n; i++) {
      const seq = head[0]! + ints[n + i]!;
      if (seq > afterSeq) each(ints[i]!, seq, head[1]! + ints[2 * n + i]!, head[2 + i]!);
    }
    return;
  }
  const f = new Float64Array(bytes);
  for (let o = 0; o + FIELDS <= f.length; o += FIELDS) {
    if (f[o + 1]! > afterSeq) each(f[o]!, f[o + 1]!, f[o + 2]!, f[o + 3]!);
  }
}
