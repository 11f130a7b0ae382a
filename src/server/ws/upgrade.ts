import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ExecTrackError } from '../../errors.js';
import type { Execution, Session } from '../../protocol/types.js';
import { ownedExecution, readableExecution, readableSession, requireClaim } from '../auth/access.js';
import type { ServerContext } from '../context.js';
import { toApiError } from '../errors.js';
import { clientIp } from '../rate-limit.js';
import { handleFollow, type FollowResume } from './follow.js';
import { handleSessionFollow } from './session-follow.js';
import { watch } from './keepalive.js';
import type { InflightWrites } from './live.js';
import { handleStream } from './stream.js';

/** The 404 for an upgrade to a path that is no WebSocket route. */
const NO_WS_ROUTE = { thing: 'such WebSocket endpoint', hint: 'see docs/api.md for the routes' };
const ROUTE = /^\/api\/v1\/(executions|sessions)\/([^/?#]+)\/(stream|follow)(?:\?.*)?$/;

/** What an authorised upgrade is for. */
type Upgrade =
  | { kind: 'stream'; execution: Execution }
  | { kind: 'follow'; execution: Execution; resume: FollowResume }
  | { kind: 'session-follow'; session: Session };

/**
 * Creates the WebSocket server (no own port: it takes upgrades from the fastify HTTP server).
 * Each upgrade is rate limited like a REST request and authorised before the handshake: the
 * stream socket needs the owner's claim key, the follow sockets (of an execution or a session) only the id. A refused upgrade
 * gets a plain HTTP answer with the usual JSON error body (401/403/404/429).
 */
export function attachWebSockets(ctx: ServerContext, inflight: InflightWrites, server: Server): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: ctx.options.maxFrameBytes });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    authorise(ctx, request).then(
      (upgrade) => {
        wss.handleUpgrade(request, socket, head, (ws) => {
          ws.on('error', () => ws.terminate());
          watch(ws);
          if (upgrade.kind === 'session-follow') handleSessionFollow(ctx, ws, upgrade.session);
          else if (upgrade.kind === 'stream') handleStream(ctx, inflight, ws, upgrade.execution.id);
          else handleFollow(ctx, ws, upgrade.execution, upgrade.resume);
        });
      },
      (error: unknown) => refuse(socket, toApiError(error)),
    );
  });
  return wss;
}

async function authorise(ctx: ServerContext, request: IncomingMessage): Promise<Upgrade> {
  const ip = clientIp(request.socket.remoteAddress, request.headers['x-forwarded-for'], ctx.options.trustProxy);
  const decision = await ctx.limiter.hit(ip, ctx.clock());
  if (!decision.ok) throw rateLimited(decision.retryAfterSeconds);
  const match = ROUTE.exec(request.url ?? '');
  if (!match) throw ExecTrackError.of('NOT_FOUND', NO_WS_ROUTE);
  const [, of, id, kind] = match as unknown as [string, 'executions' | 'sessions', string, 'stream' | 'follow'];
  if (of === 'sessions') {
    if (kind !== 'follow') throw ExecTrackError.of('NOT_FOUND', NO_WS_ROUTE);
    return { kind: 'session-follow', session: await readableSession(ctx, id) };
  }
  if (kind === 'follow') return { kind, execution: await readableExecution(ctx, id), resume: followResume(request.url!) };
  const claim = requireClaim(ctx, request.headers.authorization);
  return { kind, execution: await ownedExecution(ctx, id, claim) };
}

/** `?after=N` of a follow URL: the reader already has lines up to seq N (default -1: send the backlog). */
/**
 * The follow socket's `?after=<seq>&pointsAfter=<seq>` (a reconnecting follower resumes after the
 * last line and the last metric point it saw); each -1 when absent, `pointsAfter` ≤ `after`.
 */
function followResume(url: string): FollowResume {
  const query = new URL(url, 'http://x').searchParams;
  const lines = seqParam(query.get('after'), 'after');
  // without `pointsAfter`, points resume where lines do (a page that has lines up to `after` has their points)
  const points = query.has('pointsAfter') ? seqParam(query.get('pointsAfter'), 'pointsAfter') : lines;
  return { lines, points: Math.min(lines, points) };
}

function seqParam(value: string | null, name: string): number {
  if (value === null) return -1;
  if (!/^(-1|\d{1,15})$/.test(value)) throw new ExecTrackError('BAD_REQUEST', `The follow socket's "${name}" must be a seq (a whole number, or -1), got "${value.slice(0, 40)}".`);
  return Number(value);
}

/** 429 with the seconds until the window ends (issue 4 point 4). */
export function rateLimited(retryAfterSeconds: number): ExecTrackError {
  return ExecTrackError.of('RATE_LIMITED', { from: 'this address', retryAfter: retryAfterSeconds });
}

function refuse(socket: Duplex, error: ExecTrackError): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(error.toJSON());
  const headers = [
    `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...(error.retryAfter !== undefined ? [`Retry-After: ${error.retryAfter}`] : []),
  ];
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}

/** Closes every socket with 1001 (going away) and waits up to `graceMs` before terminating the rest. */
export async function closeAll(wss: WebSocketServer, graceMs: number): Promise<void> {
  const sockets = [...wss.clients];
  await Promise.all(sockets.map((ws) => closeOne(ws, graceMs)));
  await new Promise<void>((resolve) => wss.close(() => resolve()));
}

function closeOne(ws: WebSocket, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve();
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, graceMs);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1001, 'server shutting down');
  });
}
