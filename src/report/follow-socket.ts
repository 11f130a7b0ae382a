import WebSocket from 'ws';
import { ExecTrackError } from '../errors.js';
import { followFrame, type FollowFrame } from '../protocol/frames.js';
import { fromExecutionJson } from '../protocol/json.js';
import type { FollowEvent } from './source.js';
import { pointFromWire, reportFromWire } from './wire.js';

/**
 * One connection to `WS /api/v1/executions/:id/follow` (DESIGN §6) as an async iterable of
 * {@link FollowEvent}s, in the order the server sent them. Ends when the server closes with 1000
 * (the execution ended) or `signal` aborts; throws SERVER_UNREACHABLE when the socket fails or
 * closes any other way, so the caller may reconnect, and an error with the HTTP status (NOT_FOUND
 * 404, RATE_LIMITED 429, SERVER_ERROR otherwise) when the server refuses the upgrade.
 */
export async function* followSocket(url: string, signal: AbortSignal): AsyncIterable<FollowEvent> {
  const queue: FollowEvent[] = [];
  let done = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const socket = new WebSocket(url);
  const onAbort = () => socket.close(1000);
  signal.addEventListener('abort', onAbort, { once: true });
  socket.on('message', (data) => {
    const frame = parseFrame(data.toString());
    if (frame.type === 'error') failure = new ExecTrackError('SERVER_ERROR', frame.error.message);
    else if (frame.type === 'execution') queue.push({ type: 'execution', execution: fromExecutionJson(frame.execution) });
    else if (frame.type === 'reports') queue.push({ type: 'reports', reports: frame.reports.map(reportFromWire) });
    else if (frame.type === 'metrics') queue.push({ type: 'metrics', points: frame.points.map(pointFromWire) });
    notify();
  });
  socket.on('unexpected-response', (_request, response) => {
    // a refused upgrade (404 unknown id, 429, 5xx) keeps its status so the caller can tell a refusal from a drop
    response.resume();
    const status = response.statusCode ?? 0;
    const retryAfter = Number(response.headers['retry-after'] ?? 0) || undefined;
    failure ??= new ExecTrackError(
      status === 404 ? 'NOT_FOUND' : status === 429 ? 'RATE_LIMITED' : 'SERVER_ERROR',
      `The server refused the follow connection with HTTP ${status}.`,
      { statusCode: status, retryAfter },
    );
    socket.terminate();
  });
  socket.on('error', (cause) => {
    if (!signal.aborted)
      failure ??= new ExecTrackError('SERVER_UNREACHABLE', `Lost the follow connection to ${new URL(url).origin}; check that the server is running.`, {
        cause,
      });
    notify();
  });
  socket.on('close', (code) => {
    if (code !== 1000 && !signal.aborted)
      failure ??= new ExecTrackError('SERVER_UNREACHABLE', `The server closed the follow connection (code ${code}); check that it is running.`);
    done = true;
    notify();
  });
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (failure) throw failure;
      if (done) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.terminate();
  }
}

/** A follow frame checked against {@link followFrame}; anything else becomes an error frame naming the problem. */
function parseFrame(text: string): FollowFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { type: 'error', error: { code: 'SERVER_ERROR', message: 'The server sent a follow frame that is not JSON; check the server version.' } };
  }
  const parsed = followFrame.safeParse(json);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues[0]?.path.join('.') || 'the frame';
  return {
    type: 'error',
    error: { code: 'SERVER_ERROR', message: `The server sent a follow frame unlike docs/api.md's (at ${where}); check that client and server versions match.` },
  };
}
