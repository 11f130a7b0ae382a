import type { WebSocket } from 'ws';
import type { ExecTrackError } from '../../errors.js';
import type { FollowFrame, SessionFollowFrame, StreamServerFrame } from '../../protocol/frames.js';

/** Close codes (RFC 6455 §7.4.1) the server uses. */
export const CLOSE = { normal: 1000, goingAway: 1001, policy: 1008, tooBig: 1009, internal: 1011 } as const;

/** Sends one JSON frame; resolves once it is handed to the socket (backpressure for large backlogs). */
export function sendFrame(ws: WebSocket, frame: StreamServerFrame | FollowFrame | SessionFollowFrame): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState !== ws.OPEN) return resolve();
    ws.send(JSON.stringify(frame), () => resolve());
  });
}

/** Sends an `error` frame, then closes: 1009 for size limits, 1011 for server faults, 1008 otherwise. */
export async function rejectFrame(ws: WebSocket, error: ExecTrackError): Promise<void> {
  await sendFrame(ws, { type: 'error', error: { code: error.code, message: error.message } });
  const code = error.code === 'TOO_LARGE' ? CLOSE.tooBig : error.statusCode >= 500 ? CLOSE.internal : CLOSE.policy;
  if (ws.readyState === ws.OPEN) ws.close(code, error.code);
}
