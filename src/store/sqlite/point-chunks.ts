import type { MetricPoint } from '../../protocol/types.js';

/** Numbers per encoded point: step, seq, ts, value. */
const FIELDS = 4;

/**
 * Encodes points given as flat (step, seq, ts, value) quadruples into a blob of float64s in the
 * machine's byte order (little-endian on every platform Node ships for). Steps, seqs and ms
 * timestamps are safe integers, so float64 holds them exactly; NaN and ±Infinity survive.
 */
export function encodePoints(flat: readonly number[]): Buffer {
  const floats = Float64Array.from(flat);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
}

/** Appends the points of one blob of series `key` whose seq is greater than `afterSeq` to `out`. */
export function decodePoints(key: string, blob: Buffer, out: MetricPoint[], afterSeq = -1): void {
  // Copy: a Float64Array view needs 8-byte alignment, which a blob from SQLite need not have.
  const f = new Float64Array(new Uint8Array(blob).buffer);
  for (let o = 0; o + FIELDS <= f.length; o += FIELDS) {
    if (f[o + 1]! > afterSeq) out.push({ key, step: f[o]!, seq: f[o + 1]!, ts: f[o + 2]!, value: f[o + 3]! });
  }
}
