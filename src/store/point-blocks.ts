/** Points per block of a chunk's summary. */
export const BLOCK_POINTS = 64;
/** Numbers per block: count, first step, last step, then the lowest and the highest finite point as (value, step, ts). */
export const BLOCK_FIELDS = 9;

/**
 * The summary stored beside a point chunk (table `metric_blocks`): its points cut into blocks of
 * {@link BLOCK_POINTS} in stored order, each as float64 (count, first step, last step, min value,
 * its step, its ts, max value, its step, its ts) — NaN for the min and max of a block without a
 * finite value; among equal values the first in order. A whole-series chart reads these instead of
 * every point (src/store/downsample.ts). Null when the points (flat (step, seq, ts, value)
 * quadruples as the chunk takes them) are not in (step, seq) order: such a chunk has no summary.
 */
export function encodeBlocks(flat: readonly number[]): Buffer | null {
  const n = flat.length / 4;
  for (let o = 4; o < flat.length; o += 4) {
    if (flat[o]! < flat[o - 4]! || (flat[o] === flat[o - 4] && flat[o + 1]! < flat[o - 3]!)) return null;
  }
  const out = new Float64Array(Math.ceil(n / BLOCK_POINTS) * BLOCK_FIELDS);
  for (let first = 0, b = 0; first < n; first += BLOCK_POINTS, b += BLOCK_FIELDS) {
    const last = Math.min(n, first + BLOCK_POINTS) - 1;
    let min = -1;
    let max = -1;
    for (let i = first; i <= last; i++) {
      const v = flat[4 * i + 3]!;
      if (!Number.isFinite(v)) continue;
      if (min < 0 || v < flat[4 * min + 3]!) min = i;
      if (max < 0 || v > flat[4 * max + 3]!) max = i;
    }
    out.set([last - first + 1, flat[4 * first]!, flat[4 * last]!], b);
    out.set(
      min < 0
        ? [NaN, NaN, NaN, NaN, NaN, NaN]
        : [flat[4 * min + 3]!, flat[4 * min]!, flat[4 * min + 2]!, flat[4 * max + 3]!, flat[4 * max]!, flat[4 * max + 2]!],
      b + 3,
    );
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** The numbers of a summary blob (see {@link encodeBlocks}); copied only when not 8-byte aligned. */
export function decodeBlocks(blob: Buffer): Float64Array {
  const bytes = blob.byteOffset % 8 === 0 ? blob : new Uint8Array(blob);
  return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
}
