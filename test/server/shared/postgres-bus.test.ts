import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES } from '../../../src/store/postgres/channel.js';
import { payloads } from '../../../src/server/shared/postgres-bus.js';

const id = (i: number) => `e_${String(i).padStart(22, 'A')}`;

describe('payloads', () => {
  it('carries ids and seqs only, in one notification for a small batch', () => {
    expect(payloads('inst', [[id(1), 41]], [[id(2), 's_x']]).map((p) => JSON.parse(p) as unknown)).toEqual([
      { i: 'inst', r: [[id(1), 41]], e: [[id(2), 's_x']] },
    ]);
    expect(payloads('inst', [], [])).toEqual([]);
  });

  it('splits many executions into notifications below PostgreSQL’s 8 000-byte limit, losing none', () => {
    const reports = Array.from({ length: 1000 }, (_, i) => [id(i), i] as [string, number]);
    const out = payloads('inst', reports, [[id(5), 's_y']]);
    expect(out.length).toBeGreaterThan(1);
    for (const p of out) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    const parsed = out.map((p) => JSON.parse(p) as { r: [string, number][]; e: [string, string][] });
    expect(parsed.flatMap((p) => p.r)).toEqual(reports);
    expect(parsed.flatMap((p) => p.e)).toEqual([[id(5), 's_y']]);
  });
});
