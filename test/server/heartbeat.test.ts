import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { credentials, lines, sessionWithExecution, testApp, type TestApp } from './setup.js';

const TIMEOUT = 60_000;
let t: TestApp;
beforeEach(async () => {
  t = await testApp({ heartbeatTimeoutMs: TIMEOUT });
});
afterEach(async () => {
  await t.close();
});

describe('GhostSweeper', () => {
  it('gives every Running execution one full timeout after a restart before sweeping', async () => {
    const { claimKey } = await credentials(t.app);
    const { executionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    t.clock.now += 10 * TIMEOUT;
    const restarted = await buildApp({ store: t.store, options: { heartbeatTimeoutMs: TIMEOUT }, clock: t.clock, log: () => {} });
    try {
      t.clock.now += TIMEOUT - 1;
      expect(await restarted.execTrack.sweeper.sweep()).toEqual([]);
      t.clock.now += 1;
      expect(await restarted.execTrack.sweeper.sweep()).toEqual([executionId]);
    } finally {
      await restarted.close();
    }
  });

  it('turns a silent Running execution into Exec crushed with reason lost contact, and the wrapper’s truth wins later', async () => {
    const { claimKey } = await credentials(t.app);
    const { executionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    t.clock.now += TIMEOUT / 2;
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/executions/${executionId}/reports`,
      headers: { authorization: `Bearer ${claimKey}` },
      payload: { lines: lines(0, 1) },
    });
    t.clock.now += TIMEOUT - 1;
    expect(await t.app.execTrack.sweeper.sweep()).toEqual([]);
    t.clock.now += 2;
    expect(await t.app.execTrack.sweeper.sweep()).toEqual([executionId]);
    const lost = (await t.app.inject({ method: 'GET', url: `/api/v1/executions/${executionId}` })).json().execution;
    expect(lost).toMatchObject({ state: 'Exec crushed', reason: 'lost contact', lineCount: 1 });

    const finish = await t.app.inject({
      method: 'POST',
      url: `/api/v1/executions/${executionId}/finish`,
      headers: { authorization: `Bearer ${claimKey}` },
      payload: { outcome: { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: t.clock.now } },
    });
    expect(finish.json().execution).toMatchObject({ state: 'Passive', exitCode: 0, reason: null });
  });
});
