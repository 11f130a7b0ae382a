import { describe, expect, it } from 'vitest';
import { EXEC, freshStore, lines, newExecution, SESSION } from './setup.js';

describe('explicit metric points (appendMetrics)', () => {
  it('stores them as read after the lines so far, with steps counted on when none is given', async () => {
    const { store } = await freshStore();
    await store.appendReports(EXEC, lines([0, 1], (s) => `loss=${s}`));
    await store.appendMetrics(EXEC, [{ key: 'sys/cpu_pct', value: 50, step: 0, ts: 20_000 }, { key: 'gpu', value: 1, ts: 20_001 }]);
    await store.appendMetrics(EXEC, [{ key: 'gpu', value: 2, ts: 20_002 }]);
    expect((await store.metricPoints(EXEC)).map((p) => [p.key, p.step, p.value, p.seq, p.ts])).toEqual([
      ['gpu', 0, 1, 2, 20_001],
      ['gpu', 1, 2, 2, 20_002],
      ['loss', 0, 0, 0, 10_000],
      ['loss', 1, 1, 1, 10_001],
      ['sys/cpu_pct', 0, 50, 2, 20_000],
    ]);
    // a live follower that has read line 1 gets them
    expect((await store.metricPoints(EXEC, undefined, { afterSeq: 1 })).map((p) => p.key)).toEqual(['gpu', 'gpu', 'sys/cpu_pct']);
  });

  it('skips a resent point (its step is not above the series last step)', async () => {
    const { store } = await freshStore();
    const batch = [0, 1].map((step) => ({ key: 'sys/rss_bytes', value: 100 + step, step, ts: 30_000 + step }));
    await store.appendMetrics(EXEC, batch);
    await store.appendMetrics(EXEC, [...batch, { key: 'sys/rss_bytes', value: 102, step: 2, ts: 30_002 }]);
    expect((await store.metricPoints(EXEC, 'sys/rss_bytes')).map((p) => p.value)).toEqual([100, 101, 102]);
    expect((await store.metricSummary(EXEC))['sys/rss_bytes']).toEqual({ last: 102, min: 100, max: 102, count: 3 });
  });

  it('keeps sys/ keys for the wrapper: a line cannot write them', async () => {
    const { store } = await freshStore();
    await store.appendReports(EXEC, lines([0], () => 'sys/cpu_pct=99 loss=0.5'));
    expect(Object.keys(await store.metricSummary(EXEC))).toEqual(['loss']);
  });

  it('throws NOT_FOUND for an unknown execution', async () => {
    const { store } = await freshStore();
    await expect(store.appendMetrics('e_BBBBBBBBBBBBBBBBBBBBBB', [{ key: 'k', value: 1, ts: 1 }])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('context and usage of an execution', () => {
  it('keeps the context given at creation and the usage given with the outcome', async () => {
    const { store } = await freshStore();
    const context = { git: { commit: 'a'.repeat(40), branch: 'main', dirty: true }, version: '0.1.0' };
    await store.createExecution({ ...newExecution('e_CCCCCCCCCCCCCCCCCCCCCC', SESSION, 3_000), context });
    expect((await store.getExecution('e_CCCCCCCCCCCCCCCCCCCCCC'))).toMatchObject({ context, usage: null });
    const usage = { peakRssBytes: 3 * 2 ** 30, userCpuMs: 25_000, systemCpuMs: 1_500 };
    const done = await store.finishExecution('e_CCCCCCCCCCCCCCCCCCCCCC', { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: 4_000, usage });
    expect(done).toMatchObject({ context, usage });
    // an execution from before (or without sampling) has neither
    expect(await store.getExecution(EXEC)).toMatchObject({ context: null, usage: null });
  });
});
