import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { MetricsConfig, ReportLine } from '../../src/protocol/types.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { tempHome } from '../helpers/cli.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

export const SESSION = 's_AAAAAAAAAAAAAAAAAAAAAA';
export const EXEC = 'e_AAAAAAAAAAAAAAAAAAAAAA';

/** A store on a fresh temp file with one session and one `Running` execution, closed after the test. */
export async function freshStore(options: { lineQuota?: number; metrics?: MetricsConfig } = {}): Promise<{ store: Store; path: string; dir: string }> {
  const home = tempHome();
  const path = join(home.dir, 'nested', 'store.db');
  const store = await openStore(path, { lineQuota: options.lineQuota });
  cleanups.push(home.cleanup, () => store.close());
  await store.createSession({ id: SESSION, title: 'default', createdAt: 1_000, ownerId: null });
  await store.createExecution(newExecution(EXEC, SESSION, 2_000, options.metrics));
  return { store, path, dir: home.dir };
}

export function newExecution(id: string, sessionId: string, startedAt: number, metrics: MetricsConfig = { enabled: true }) {
  return { id, sessionId, name: null, command: ['python3', 'train.py'], cwd: '/tmp', host: 'box', pid: 4242, startedAt, receivedAt: startedAt, metrics };
}

/** Lines with the given seqs: text `line <seq>`, ts 10 000 + seq, stdout. */
export function lines(seqs: Iterable<number>, text = (seq: number) => `line ${seq}`): ReportLine[] {
  return [...seqs].map((seq) => ({ seq, ts: 10_000 + seq, stream: 'stdout', text: text(seq) }));
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
