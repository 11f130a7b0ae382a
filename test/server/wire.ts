import { WebSocket } from 'ws';
import { checkFrame, checkResponse } from '../helpers/protocol-check.js';

/** JSON over HTTP to a real server: status, parsed body and headers. */
export async function api(
  base: string,
  path: string,
  options: { method?: string; body?: unknown; bearer?: string; raw?: string; contentType?: string } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const res = await fetch(`${base}${path}`, { method: options.method ?? (payload === undefined ? 'GET' : 'POST'), headers, body: payload });
  const text = await res.text();
  checkResponse(options.method ?? (payload === undefined ? 'GET' : 'POST'), path, res.status, res.headers.get('content-type') ?? undefined, text);
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** A user, a claim key, a session and a Running execution on a real server. */
export async function setupExecution(base: string): Promise<{ token: string; claimKey: string; sessionId: string; executionId: string }> {
  const user = await api(base, '/api/v1/users', { method: 'POST' });
  const claim = await api(base, '/api/v1/claims', { method: 'POST', bearer: user.body.token });
  const claimKey = claim.body.claimKey as string;
  const session = await api(base, '/api/v1/sessions', { body: { title: 'wire' }, bearer: claimKey });
  const execution = await api(base, `/api/v1/sessions/${session.body.session.id}/executions`, {
    body: { name: 'job', command: ['sh', '-c', 'true'], startedAt: Date.now() },
    bearer: claimKey,
  });
  return { token: user.body.token, claimKey, sessionId: session.body.session.id, executionId: execution.body.execution.id };
}

/** An open WebSocket with its frames queued, so a test can `await next()` one frame at a time. */
export interface Socket {
  ws: WebSocket;
  next: () => Promise<any>;
  closed: Promise<{ code: number; reason: string }>;
  send: (frame: unknown) => void;
}

/** Opens a socket; rejects with the HTTP status when the upgrade is refused. */
export function openSocket(url: string, bearer?: string): Promise<Socket> {
  const ws = new WebSocket(url, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  const frames: any[] = [];
  const waiters: Array<(frame: any) => void> = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    checkFrame(url, frame);
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else frames.push(frame);
  });
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => reject(Object.assign(new Error(`upgrade refused with ${res.statusCode}`), { status: res.statusCode, body, headers: res.headers })));
    });
    ws.on('open', () =>
      resolve({
        ws,
        closed,
        send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
        next: () => {
          const frame = frames.shift();
          if (frame !== undefined) return Promise.resolve(frame);
          return new Promise((done, fail) => {
            waiters.push(done);
            void closed.then((c) => fail(new Error(`socket closed (${c.code}) while waiting for a frame`)));
          });
        },
      }),
    );
  });
}

/** ws:// form of an http:// base URL. */
export function wsUrl(base: string, path: string): string {
  return `${base.replace(/^http/, 'ws')}${path}`;
}
