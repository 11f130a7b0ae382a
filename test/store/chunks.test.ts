import { describe, expect, it } from 'vitest';
import type { MetricPoint, ReportLine } from '../../src/protocol/types.js';
import { decodePoints, encodePoints } from '../../src/store/point-chunks.js';
import { decodeChunk, encodeChunk, type ReportChunk } from '../../src/store/report-chunks.js';

const T0 = 1_790_000_000_000;

function roundTrip(lines: ReportLine[]): { chunk: ReportChunk; back: ReportLine[] } {
  const chunk = encodeChunk(lines);
  const back: ReportLine[] = [];
  decodeChunk(chunk, () => true, back);
  return { chunk, back };
}

describe('report chunks', () => {
  it('stores gapless lines with whole-ms times in the compact layout (4 bytes a line) and reads them back exactly', () => {
    const lines: ReportLine[] = Array.from({ length: 1000 }, (_, i) => ({
      seq: 500 + i,
      ts: T0 + i * 3,
      stream: i % 7 ? 'stdout' : 'stderr',
      text: `line ${i} é`,
    }));
    lines[999]!.partial = true;
    Object.assign(lines[3]!, { truncated: true, byteLength: 2_000_000 });
    const { chunk, back } = roundTrip(lines);
    expect(chunk.seq_ts.length).toBe(8 + 4 * 1000);
    expect(back).toEqual(lines);
  });

  it('falls back to (seq, ts) pairs for a gap in the seqs, a fractional ts or one beyond int32 of the first', () => {
    const gap: ReportLine[] = [
      { seq: 1, ts: T0, stream: 'stdout', text: 'a' },
      { seq: 5, ts: T0, stream: 'stdout', text: 'b' },
    ];
    const fraction: ReportLine[] = [
      { seq: 0, ts: T0 + 0.5, stream: 'stdout', text: 'a' },
      { seq: 1, ts: T0, stream: 'stdout', text: 'b' },
    ];
    const far: ReportLine[] = [
      { seq: 0, ts: T0, stream: 'stdout', text: 'a' },
      { seq: 1, ts: T0 + 2 ** 31, stream: 'stdout', text: 'b' },
    ];
    for (const lines of [gap, fraction, far]) {
      const { chunk, back } = roundTrip(lines);
      expect(chunk.seq_ts.length).toBe(16 * lines.length);
      expect(back).toEqual(lines);
    }
  });

  it('compresses the texts and still reads chunks written with plain JSON texts', () => {
    const lines: ReportLine[] = Array.from({ length: 1000 }, (_, i) => ({ seq: i, ts: T0, stream: 'stdout', text: `12:00:00.000 INFO job ${i} ok` }));
    const { chunk } = roundTrip(lines);
    expect(Buffer.isBuffer(chunk.texts)).toBe(true);
    expect(chunk.texts.length).toBeLessThan(JSON.stringify(lines.map((l) => l.text)).length / 4);
    const old: ReportLine[] = [];
    decodeChunk({ ...chunk, texts: JSON.stringify(lines.map((l) => l.text)) }, (seq) => seq >= 998, old);
    expect(old).toEqual(lines.slice(998));
  });
});

function pointsRoundTrip(points: MetricPoint[], afterSeq = -1): { blob: Buffer; back: MetricPoint[] } {
  const blob = encodePoints(points.flatMap((p) => [p.step, p.seq, p.ts, p.value]));
  const back: MetricPoint[] = [];
  decodePoints('loss', blob, back, afterSeq);
  return { blob, back };
}

describe('metric point chunks', () => {
  const points: MetricPoint[] = Array.from({ length: 8 }, (_, i) => ({ key: 'loss', step: i * 10, seq: 100 + 2 * i, ts: T0 + i, value: 1 / (i + 1) }));
  points[2]!.value = Number.NaN;
  points[3]!.value = Number.NEGATIVE_INFINITY;

  it('stores whole steps and nearby seqs and times in the compact layout (17 + 20 bytes a point), NaN and infinity kept', () => {
    const { blob, back } = pointsRoundTrip(points);
    expect(blob.length).toBe(17 + 20 * points.length);
    expect(back).toEqual(points);
    expect(pointsRoundTrip(points, 105).back).toEqual(points.filter((p) => p.seq > 105));
  });

  it('falls back to float64 quadruples for a fractional step or a time beyond int32 of the first', () => {
    for (const odd of [{ step: 0.5 }, { ts: T0 + 2 ** 32 }]) {
      const changed = points.map((p, i) => (i === 4 ? { ...p, ...odd } : p));
      const { blob, back } = pointsRoundTrip(changed);
      expect(blob.length).toBe(32 * points.length);
      expect(back).toEqual(changed);
    }
  });
});
