import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { testApp, type TestApp } from './setup.js';
import { api, setupExecution } from './wire.js';

/** What a refused upgrade answers: status, `Retry-After` and the JSON error code (as src/client/refusal.ts reads it). */
function refusal(url: string, bearer?: string): Promise<{ status: number; retryAfter?: string; code?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
    ws.on('open', () => reject(new Error(`${url} was upgraded`)));
    ws.on('error', () => {});
    ws.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        const retryAfter = response.headers['retry-after'];
        resolve({
          status: response.statusCode ?? 0,
          ...(retryAfter ? { retryAfter: String(retryAfter) } : {}),
          code: (JSON.parse(body) as { error: { code: string } }).error.code,
        });
      });
    });
  });
}

let t: TestApp;
let base: string;
let ids: Awaited<ReturnType<typeof setupExecution>>;
beforeAll(async () => {
  t = await testApp({ rateLimit: 40 });
  t.clock.now = Date.now();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as { port: number };
  base = `http://127.0.0.1:${port}`;
  ids = await setupExecution(base);
});
afterAll(() => t.close());

describe('WebSocket upgrades through fastify', () => {
  it('refuses before the handshake with the status and JSON error of the API plugin', async () => {
    const ws = base.replace('http', 'ws');
    const unknown = `e_${'A'.repeat(22)}`;
    expect(await refusal(`${ws}/api/v1/executions/${ids.executionId}/stream`)).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    expect(await refusal(`${ws}/api/v1/executions/${unknown}/stream`, ids.claimKey)).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await refusal(`${ws}/api/v1/executions/nonsense/follow`)).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await refusal(`${ws}/api/v1/executions/${ids.executionId}/follow?after=x`)).toEqual({ status: 400, code: 'BAD_REQUEST' });
    // an unknown id is refused before its query is looked at, as before
    expect(await refusal(`${ws}/api/v1/executions/${unknown}/follow?after=x`)).toEqual({ status: 404, code: 'NOT_FOUND' });
  });

  it('answers 404 for an upgrade to a path without a socket, and for a socket path asked without an upgrade', async () => {
    const ws = base.replace('http', 'ws');
    expect(await refusal(`${ws}/api/v1/executions/${ids.executionId}`)).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await refusal(`${ws}/api/v1/executions/${ids.executionId}/nope`)).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await refusal(`${ws}/nope`)).toEqual({ status: 404, code: 'NOT_FOUND' });
    const plain = await api(base, `/api/v1/executions/${ids.executionId}/stream`, { bearer: ids.claimKey });
    expect([plain.status, plain.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('counts upgrades against the per-IP limit: past it, 429 with Retry-After before the handshake', async () => {
    const ws = base.replace('http', 'ws');
    let answer: { status: number; retryAfter?: string; code?: string } | undefined;
    for (let i = 0; i < 50 && answer?.status !== 429; i++) answer = await refusal(`${ws}/api/v1/executions/${ids.executionId}/stream`);
    expect(answer).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(answer!.retryAfter)).toBeGreaterThan(0);
    expect((await api(base, '/healthz')).status).toBe(200);
  });
});
