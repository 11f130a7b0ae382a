import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { join } from 'node:path';
import { buildApp } from '../../src/server/app.js';
import type { ServerOptions } from '../../src/server/options.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { tempHome } from '../helpers/cli.js';
import { checkResponse } from '../helpers/protocol-check.js';

/** A test clock: `now` moves only when the test says so. */
export interface TestClock {
  now: number;
  (): number;
}

export function testClock(start = Date.UTC(2026, 10, 30, 12)): TestClock {
  const clock = (() => clock.now) as TestClock;
  clock.now = start;
  return clock;
}

/** An app over a real SQLite store in a temp dir, with an injected clock and captured log lines. */
export interface TestApp {
  app: FastifyInstance;
  store: Store;
  clock: TestClock;
  logs: string[];
  close: () => Promise<void>;
}

export async function testApp(options: Partial<ServerOptions> = {}): Promise<TestApp> {
  const home = tempHome();
  const clock = testClock();
  const store = await openStore(join(home.dir, 'server.db'), { lineQuota: options.lineQuota, clock });
  const logs: string[] = [];
  const app = await buildApp({ store, options, clock, log: (line) => logs.push(line) });
  checkEveryResponse(app);
  return {
    app,
    store,
    clock,
    logs,
    close: async () => {
      await app.close();
      await store.close();
      home.cleanup();
    },
  };
}

/** Makes `app.inject` check every answer against src/protocol/responses.ts (test/helpers/protocol-check.ts). */
function checkEveryResponse(app: FastifyInstance): void {
  const inject = app.inject.bind(app) as (options: InjectOptions) => Promise<LightMyRequestResponse>;
  const checked = async (options: InjectOptions) => {
    const response = await inject(options);
    const contentType = response.headers['content-type'];
    checkResponse(options.method ?? 'GET', String(options.url), response.statusCode, typeof contentType === 'string' ? contentType : undefined, response.body);
    return response;
  };
  app.inject = checked as unknown as typeof app.inject;
}

/** Mints a user and a claim key through the API. */
export async function credentials(app: FastifyInstance): Promise<{ userId: string; token: string; claimKey: string }> {
  const user = (await app.inject({ method: 'POST', url: '/api/v1/users' })).json();
  const claim = (await app.inject({ method: 'POST', url: '/api/v1/claims', headers: { authorization: `Bearer ${user.token}` } })).json();
  return { userId: user.user.id, token: user.token, claimKey: claim.claimKey };
}

/** Creates a session and a Running execution owned by `claimKey`; returns their ids. */
export async function sessionWithExecution(app: FastifyInstance, claimKey: string, startedAt: number): Promise<{ sessionId: string; executionId: string }> {
  const headers = { authorization: `Bearer ${claimKey}` };
  const session = (await app.inject({ method: 'POST', url: '/api/v1/sessions', headers, payload: { title: 'exp' } })).json();
  const execution = (
    await app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${session.session.id}/executions`,
      headers,
      payload: { name: 'train', command: ['python3', 'train.py'], cwd: '/tmp', host: 'box', pid: 1, startedAt },
    })
  ).json();
  return { sessionId: session.session.id, executionId: execution.execution.id };
}

/** `count` wrapper lines from seq `from`. */
export function lines(from: number, count: number, ts = Date.UTC(2026, 10, 30, 12)): Array<{ seq: number; ts: number; stream: 'stdout'; text: string }> {
  return Array.from({ length: count }, (_, i) => ({
    seq: from + i,
    ts: ts + from + i,
    stream: 'stdout' as const,
    text: `step=${from + i} loss=${(1 / (from + i + 1)).toFixed(3)}`,
  }));
}
