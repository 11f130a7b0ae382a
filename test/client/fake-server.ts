import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { newId } from '../../src/protocol/ids.js';
import type { Outcome, ReportLine } from '../../src/protocol/types.js';

/**
 * A minimal stand-in for the exec-track server's write side (docs/api.md): users, claims, session
 * and execution creation, the stream socket with welcome/ack/finished. Lets the RemoteSink's
 * protocol handling be tested with drops and refusals on cue; the e2e tests use the real server.
 * Its answers have the shapes of src/protocol/responses.ts (the client parses them).
 */
export async function fakeServer(options: { port?: number; dropAfterLines?: number } = {}) {
  const lines: ReportLine[] = [];
  const state = { outcome: undefined as Outcome | undefined, connections: 0, drops: 0, claims: 0, refuseUpgrades: 0, refusal: '503 Service Unavailable' };
  const lastSeq = () => lines.length - 1;
  const userId = newId('u');
  const http: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      const send = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (req.url === '/api/v1/users') return send(201, { user: { id: userId }, token: 'ut_1' });
      if (req.url === '/api/v1/claims') return send(201, { claimKey: `ck_${++state.claims}`, expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
      if (req.url === '/api/v1/sessions') return send(201, { session: { id: body.id, title: body.title, createdAt: new Date().toISOString() } });
      const sessionId = /^\/api\/v1\/sessions\/([^/]+)\/executions$/.exec(req.url ?? '')?.[1];
      if (sessionId) return send(201, { execution: runningExecution(sessionId, body) });
      send(404, { error: { code: 'NOT_FOUND', message: 'Not found.' } });
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req, socket, head) => {
    if (state.refuseUpgrades > 0) {
      state.refuseUpgrades--;
      socket.end(`HTTP/1.1 ${state.refusal}\r\nretry-after: 1\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
  });
  const serve = (ws: WebSocket) => {
    state.connections++;
    let received = 0;
    ws.send(JSON.stringify({ type: 'welcome', lastSeq: lastSeq() }));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; lines?: ReportLine[]; outcome?: Outcome };
      if (frame.type === 'lines') {
        for (const line of frame.lines!) if (line.seq === lastSeq() + 1) lines.push(line);
        received += frame.lines!.length;
        if (options.dropAfterLines && received >= options.dropAfterLines && state.drops === 0) {
          state.drops++;
          return ws.terminate();
        }
        ws.send(JSON.stringify({ type: 'ack', lastSeq: lastSeq() }));
      } else if (frame.type === 'finish') {
        state.outcome = frame.outcome;
        ws.send(JSON.stringify({ type: 'finished', state: frame.outcome!.state }));
      }
    });
  };
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    lines,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

/** The answer to creating an execution: the body sent, Running, as the API shows it. */
function runningExecution(sessionId: string, body: Record<string, unknown>) {
  const { id, name, command, cwd, host, startedAt } = body;
  return {
    id,
    sessionId,
    name,
    command,
    cwd,
    host,
    state: 'Running',
    exitCode: null,
    signal: null,
    reason: null,
    startedAt: new Date(startedAt as number).toISOString(),
    endedAt: null,
    durationMs: 0,
    lineCount: 0,
    context: null,
    usage: null,
  };
}
