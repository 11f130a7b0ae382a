import { describe, expect, it } from 'vitest';
import { addRule } from '../../../src/notify/rules.js';
import { scanRule } from '../../../src/notify/scan.js';
import type { NewOutboxMessage } from '../../../src/notify/store.js';
import type { Store } from '../../../src/store/store.js';
import { EXEC, SESSION, lines, newExecution } from '../setup.js';
import type { FreshStore } from './fresh.js';

const HOOK = 'http://127.0.0.1:9/notify/secret0123';
const link = (id: string) => `http://pages/${id}`;

function message(key: string, ruleId: string, createdAt = 5_000): NewOutboxMessage {
  return { key, ruleId, sessionId: SESSION, kind: 'failed', state: 'pending', channel: 'webhook', url: HOOK, headers: { a: 'b' }, body: '{}', createdAt };
}

/** Every message a scan at `now` queues for every rule, queued (as the notifier does); returns their keys and kinds. */
async function scan(store: Store, now: number): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (const rule of await store.notify.listRules()) {
    const found = await scanRule({ store, now, link, sessionGraceMs: 500 }, rule);
    await store.notify.enqueue(found);
    out.push(...found.map((m): [string, string] => [m.kind, m.state]));
  }
  return out;
}

/** The notifications part of the store contract (issue 15): rules, the outbox and its claims, and the events a scan finds. */
export function notifyContract(freshStore: FreshStore): void {
  describe('notification outbox', () => {
    it('queues a key once, leases a claimed message to one claimer (also across two connections) and gives it back when the lease ends', async () => {
      const { store, reopen } = await freshStore();
      const rule = await addRule(store, SESSION, { url: HOOK }, 1_000);
      expect(await store.notify.enqueue([message('k1', rule.id), message('k1', rule.id), message('k2', rule.id)])).toBe(2);
      expect(await store.notify.enqueue([message('k2', rule.id)])).toBe(0);
      const other = await reopen();
      const [a, b] = await Promise.all([store.notify.claim(6_000, 1, 1_000), other.notify.claim(6_000, 10, 1_000)]);
      expect([...a, ...b].map((m) => m.key).sort()).toEqual(['k1', 'k2']);
      expect(await store.notify.claim(6_500, 10, 1_000)).toEqual([]);
      const again = await other.notify.claim(7_001, 10, 1_000);
      expect(again.map((m) => m.key).sort()).toEqual(['k1', 'k2']);
      expect(again[0]).toMatchObject({ url: HOOK, headers: { a: 'b' }, attempts: 0, createdAt: 5_000 });
    });

    it('records attempts: a retry is due at its time, a sent or failed message never comes back', async () => {
      const { store } = await freshStore();
      const rule = await addRule(store, SESSION, { url: HOOK }, 1_000);
      await store.notify.enqueue([message('k1', rule.id), message('k2', rule.id)]);
      const [m1, m2] = await store.notify.claim(6_000, 10, 60_000);
      await store.notify.settle(m1!.id, { state: 'pending', nextAt: 9_000, status: 500, error: 'HTTP 500', at: 6_100 });
      await store.notify.settle(m2!.id, { state: 'sent', status: 200, error: null, at: 6_100 });
      expect(await store.notify.claim(8_999, 10, 60_000)).toEqual([]);
      const [retry] = await store.notify.claim(9_000, 10, 60_000);
      expect(retry).toMatchObject({ key: 'k1', attempts: 1 });
      await store.notify.settle(retry!.id, { state: 'failed', status: 410, error: 'HTTP 410', at: 9_100 });
      expect(await store.notify.claim(1e12, 10, 60_000)).toEqual([]);
      expect(await store.notify.deliveryCounts(rule.id)).toEqual({ sent: 1, failed: 1 });
    });

    it('removing a rule drops its messages; deleting the session drops its rules', async () => {
      const { store } = await freshStore();
      const rule = await addRule(store, SESSION, { url: HOOK }, 1_000);
      const kept = await addRule(store, SESSION, { url: HOOK }, 1_000);
      await store.notify.enqueue([message('k1', rule.id), message('k2', kept.id)]);
      expect(await store.notify.removeRule(rule.id)).toBe(true);
      expect(await store.notify.removeRule(rule.id)).toBe(false);
      expect((await store.notify.claim(6_000, 10, 1_000)).map((m) => m.key)).toEqual(['k2']);
      expect((await store.notify.listRules(SESSION)).map((r) => r.id)).toEqual([kept.id]);
      await store.deleteSession(SESSION);
      expect(await store.notify.listRules()).toEqual([]);
      expect(await store.notify.getRule(kept.id)).toBeUndefined();
    });
  });

  describe('events found by a scan', () => {
    it('reports each end once by state (finished, failed, lost), skipping what the rule does not want', async () => {
      const { store } = await freshStore();
      await addRule(store, SESSION, { url: HOOK, on: ['failed', 'lost'] }, 1_000);
      await store.createExecution(newExecution('e_BBBBBBBBBBBBBBBBBBBBBB', SESSION, 2_500));
      await store.createExecution(newExecution('e_CCCCCCCCCCCCCCCCCCCCCC', SESSION, 2_600));
      await store.finishExecution(EXEC, { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: 3_000 });
      await store.finishExecution('e_BBBBBBBBBBBBBBBBBBBBBB', {
        state: 'Execution crushed',
        exitCode: null,
        signal: 'SIGKILL',
        reason: 'killed by SIGKILL',
        endedAt: 3_000,
      });
      await store.markLost(1e12, 'lost contact', ['e_CCCCCCCCCCCCCCCCCCCCCC']);
      expect((await scan(store, 10_000)).sort()).toEqual([
        ['failed', 'pending'],
        ['finished', 'skipped'],
        ['lost', 'pending'],
      ]);
      expect(await scan(store, 11_000)).toEqual([]);
      const claimed = await store.notify.claim(12_000, 10, 1_000);
      const failed = JSON.parse(claimed.find((m) => m.kind === 'failed')!.body);
      expect(failed).toMatchObject({ event: 'failed', execution: { signal: 'SIGKILL' }, url: 'http://pages/e_BBBBBBBBBBBBBBBBBBBBBB' });
    });

    it('a session rule reports only what ends after it was added; a run rule reports its run even if it ended first', async () => {
      const { store } = await freshStore();
      await store.finishExecution(EXEC, { state: 'Execution crushed', exitCode: 1, signal: null, reason: null, endedAt: 3_000 });
      await addRule(store, SESSION, { url: HOOK, on: ['failed', 'session-done'] }, 4_000);
      expect(await scan(store, 5_000)).toEqual([]);
      await addRule(store, SESSION, { url: HOOK, on: ['failed'], executionId: EXEC }, 4_000);
      expect(await scan(store, 5_000)).toEqual([['failed', 'pending']]);
    });

    it('a run rule may come before its execution, and never reports an execution of another session', async () => {
      const { store } = await freshStore();
      await store.createSession({ id: 's_BBBBBBBBBBBBBBBBBBBBBB', title: 'other', createdAt: 1_000, ownerId: null });
      await addRule(store, 's_BBBBBBBBBBBBBBBBBBBBBB', { url: HOOK, on: ['failed'], executionId: EXEC }, 1_000);
      await addRule(store, SESSION, { url: HOOK, on: ['failed'], executionId: 'e_ZZZZZZZZZZZZZZZZZZZZZZ' }, 1_000);
      await store.finishExecution(EXEC, { state: 'Execution crushed', exitCode: 1, signal: null, reason: null, endedAt: 3_000 });
      expect(await scan(store, 5_000)).toEqual([]);
      await store.createExecution(newExecution('e_ZZZZZZZZZZZZZZZZZZZZZZ', SESSION, 4_000));
      await store.finishExecution('e_ZZZZZZZZZZZZZZZZZZZZZZ', { state: 'Execution crushed', exitCode: 1, signal: null, reason: null, endedAt: 4_500 });
      expect(await scan(store, 5_000)).toEqual([['failed', 'pending']]);
    });

    it("stalled once after the rule's silence, recovered when output comes again, stalled again after a new silence, recovered by output just before the end", async () => {
      const { store } = await freshStore();
      await addRule(store, SESSION, { url: HOOK, on: ['stalled'], stallAfterMs: 5_000 }, 1_000);
      await store.appendReports(EXEC, lines([0]));
      expect(await scan(store, 14_000)).toEqual([]);
      expect(await scan(store, 15_001)).toEqual([['stalled', 'pending']]);
      expect(await scan(store, 30_000)).toEqual([]);
      await store.appendReports(EXEC, [{ seq: 1, ts: 31_000, stream: 'stdout', text: 'back' }]);
      expect(await scan(store, 31_500)).toEqual([['recovered', 'pending']]);
      expect(await scan(store, 32_000)).toEqual([]);
      expect(await scan(store, 36_001)).toEqual([['stalled', 'pending']]);
      await store.appendReports(EXEC, [{ seq: 2, ts: 37_000, stream: 'stdout', text: 'last' }]);
      await store.finishExecution(EXEC, { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: 37_100 });
      expect(await scan(store, 37_200)).toEqual([
        ['recovered', 'pending'],
        ['finished', 'skipped'],
      ]);
      const stalled = (await store.notify.claim(40_000, 10, 1_000)).filter((m) => m.kind === 'stalled');
      expect(JSON.parse(stalled[0]!.body)).toMatchObject({ event: 'stalled', silentMs: 5_001 });
    });

    it("a metric point counts as activity, the wrapper's sys/ samples do not", async () => {
      const { store } = await freshStore();
      await addRule(store, SESSION, { url: HOOK, on: ['stalled'], stallAfterMs: 5_000 }, 1_000);
      await store.appendReports(EXEC, lines([0]));
      await store.appendReports(EXEC, [{ seq: 1, ts: 14_000, stream: 'stdout', text: '', points: [{ key: 'loss', value: 1, ts: 14_000 }] }]);
      expect(await scan(store, 16_000)).toEqual([]);
      expect(await scan(store, 19_001)).toEqual([['stalled', 'pending']]);
      await store.appendReports(EXEC, [{ seq: 2, ts: 20_000, stream: 'stdout', text: '', points: [{ key: 'sys/cpu', value: 0, ts: 20_000 }] }]);
      expect(await scan(store, 21_000)).toEqual([]);
    });

    it('session-done: one message with counts by state once every execution ended, again after a later run ends', async () => {
      const { store } = await freshStore();
      await addRule(store, SESSION, { url: HOOK, on: ['session-done'] }, 1_000);
      await store.createExecution(newExecution('e_BBBBBBBBBBBBBBBBBBBBBB', SESSION, 2_500));
      await store.finishExecution(EXEC, { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: 3_000 });
      expect((await scan(store, 4_000)).filter(([kind]) => kind === 'session-done')).toEqual([]);
      await store.markLost(1e12, 'lost contact', ['e_BBBBBBBBBBBBBBBBBBBBBB']);
      expect((await scan(store, 5_000)).filter(([kind]) => kind === 'session-done')).toEqual([['session-done', 'pending']]);
      const [done] = (await store.notify.claim(6_000, 10, 1_000)).filter((m) => m.kind === 'session-done');
      expect(JSON.parse(done!.body)).toMatchObject({ counts: { Passive: 1, 'Exec crushed': 1 }, url: `http://pages/${SESSION}` });
      expect((await scan(store, 7_000)).filter(([kind]) => kind === 'session-done')).toEqual([]);
      await store.createExecution(newExecution('e_DDDDDDDDDDDDDDDDDDDDDD', SESSION, 8_000));
      await store.finishExecution('e_DDDDDDDDDDDDDDDDDDDDDD', { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: 9_000 });
      expect((await scan(store, 10_000)).filter(([kind]) => kind === 'session-done')).toEqual([['session-done', 'pending']]);
    });
  });
}
