import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './setup.js';
import { openSocket, setupExecution, wsUrl } from './wire.js';

let t: TestApp;
let base: string;
/** Lines per appendReports call the server made. */
const calls: number[] = [];
beforeAll(async () => {
  t = await testApp();
  t.clock.now = Date.now();
  // the SQLite store gathers nothing; this one asks for batches of up to 3 000 lines, as PostgreSQL does for 8 000
  const append = t.store.appendReports.bind(t.store);
  Object.defineProperty(t.store, 'gatherLines', { value: 3000 });
  t.store.appendReports = async (id, lines) => {
    calls.push(lines.length);
    // a round trip to a database server: frames arriving meanwhile queue up
    await new Promise((resolve) => setTimeout(resolve, 50));
    return append(id, lines);
  };
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as { port: number };
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => t.close());

const frame = (from: number, n: number) => ({
  type: 'lines',
  lines: Array.from({ length: n }, (_, i) => ({ seq: from + i, ts: t.clock.now, stream: 'stdout', text: `line ${from + i}` })),
});

describe('stream socket gathering queued frames (Store.gatherLines, issue 13 B3pg)', () => {
  it('stores a burst of frames in fewer, bounded calls, and nothing after a bad frame', async () => {
    const ids = await setupExecution(base);
    const socket = await openSocket(wsUrl(base, `/api/v1/executions/${ids.executionId}/stream`), ids.claimKey);
    expect((await socket.next()).type).toBe('welcome');
    for (let f = 0; f < 6; f++) socket.send(frame(f * 1000, 1000));
    socket.send('not json');
    socket.send(frame(6000, 1000));
    let reply = await socket.next();
    while (reply.type === 'ack') reply = await socket.next();
    expect(reply.type).toBe('error');
    await socket.closed;
    expect(calls.reduce((a, b) => a + b, 0)).toBe(6000);
    expect(calls.length).toBeLessThan(6);
    expect(Math.max(...calls)).toBeLessThanOrEqual(3000);
    expect(await t.store.lastSeq(ids.executionId)).toBe(5999);
    expect((await t.store.readReports(ids.executionId, { after: 2990, limit: 20 })).map((l) => l.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 2991 + i));
  });
});
