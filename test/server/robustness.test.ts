import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { lines } from './setup.js';
import { api, openSocket, setupExecution, wsUrl } from './wire.js';
import { soakSize } from '../helpers/soak.js';

/** Malformed frames, and malformed bodies: 250 each here, 1 000 each in `npm run soak` (test/helpers/soak.ts). */
const N = soakSize(250, 1000);

let home: ReturnType<typeof tempHome>;
let server: ServerProcess;
beforeAll(async () => {
  home = tempHome();
  server = await startServer({ home: home.dir, args: ['--rate-limit', '0', '--max-frame', '65536', '--max-body', '65536'] });
});
afterAll(async () => {
  await server.stop();
  home.cleanup();
});

const BAD_FRAMES: Array<[string, string | Buffer]> = [
  ['invalid JSON', '{"type":"lines",'],
  ['an unknown type', '{"type":"hello"}'],
  ['no type', '{"lines":[]}'],
  ['wrong types', '{"type":"lines","lines":[{"seq":"0","ts":1,"stream":"stdout","text":1}]}'],
  ['a bad outcome', '{"type":"finish","outcome":{"state":"Running"}}'],
  ['a JSON string', '"lines"'],
  ['null', 'null'],
  ['binary junk', Buffer.from([0xff, 0x00, 0xfe, 0x01])],
];

const BAD_BODIES: Array<[string, string, string]> = [
  ['invalid JSON', '{"lines":', 'application/json'],
  ['wrong types', '{"lines":"no"}', 'application/json'],
  ['text', 'lines', 'text/plain'],
  ['XML', '<lines/>', 'application/xml'],
  ['too large', JSON.stringify({ lines: lines(0, 2000) }), 'application/json'],
  ['an empty object', '{}', 'application/json'],
];

describe('server robustness (real process)', () => {
  it(`rejects ${N} malformed frames with an error frame and close 1008/1009, and ${N} malformed bodies with a 4xx, then still serves`, async () => {
    const { claimKey, executionId } = await setupExecution(server.url);
    const url = wsUrl(server.url, `/api/v1/executions/${executionId}/stream`);
    const closes = new Map<number, number>();
    const sendBad = async (i: number) => {
      const socket = await openSocket(url, claimKey);
      await socket.next();
      const frame = i % 50 === 0 ? 'x'.repeat(70_000) : BAD_FRAMES[i % BAD_FRAMES.length]![1];
      socket.send(frame);
      if (i % 50 !== 0) expect((await socket.next()).type).toBe('error');
      const { code } = await socket.closed;
      closes.set(code, (closes.get(code) ?? 0) + 1);
    };
    for (let i = 0; i < N; i += 25) await Promise.all(Array.from({ length: 25 }, (_, j) => sendBad(i + j)));
    // every 50th frame is too large (1009), the rest malformed (1008)
    expect(Object.fromEntries(closes)).toEqual({ 1008: N - N / 50, 1009: N / 50 });

    const statuses = new Set<number>();
    for (let i = 0; i < N; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, (_, j) => {
          const [, raw, contentType] = BAD_BODIES[(i + j) % BAD_BODIES.length]!;
          return api(server.url, `/api/v1/executions/${executionId}/reports`, { raw, contentType, bearer: claimKey });
        }),
      );
      for (const res of batch) {
        statuses.add(res.status);
        expect(Object.keys(res.body.error)).toEqual(['code', 'message']);
      }
    }
    expect([...statuses].sort()).toEqual([400, 413, 415]);

    expect((await api(server.url, '/healthz')).status).toBe(200);
    const good = await openSocket(url, claimKey);
    expect(await good.next()).toEqual({ type: 'welcome', lastSeq: -1 });
    good.send({ type: 'lines', lines: lines(0, 2) });
    expect(await good.next()).toEqual({ type: 'ack', lastSeq: 1 });
    good.ws.close();
    expect(server.output()).not.toMatch(/internal error/);
  });

  it('drops a socket that stops answering pings (half-open)', async () => {
    const slow = await startServer({ home: home.dir, args: ['--heartbeat-timeout', '2s', '--db', `${home.dir}/half-open.db`] });
    try {
      const { executionId } = await setupExecution(slow.url);
      // a raw TCP peer that completes the handshake and then never answers a ping
      const peer = connect(slow.port, '127.0.0.1');
      peer.on('error', () => {});
      peer.write(
        `GET /api/v1/executions/${executionId}/follow HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      let received = '';
      peer.on('data', (b: Buffer) => (received += b.toString('latin1')));
      await new Promise((resolve) => peer.once('close', resolve));
      expect(received).toMatch(/^HTTP\/1.1 101/);
    } finally {
      await slow.stop();
    }
  });
});
