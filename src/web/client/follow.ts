import type { FollowFrame } from '../../protocol/frames.js';

/** What a follower does with the frames of the follow socket. */
export interface FollowHandlers {
  onFrame: (frame: FollowFrame) => void;
  /** The seq of the last line the page has: a (re)connect asks only for what comes after it. */
  lastSeq: () => number;
  /** Called with true while connected, false while waiting to reconnect. */
  onConnection?: (connected: boolean) => void;
}

/**
 * Follows an execution over `WS /api/v1/executions/:id/follow?after=<last seq the page has>`.
 * The server closes with 1000 once the execution has ended; any other close (server restart,
 * network) reconnects after 1 s, doubling up to 15 s, again from the last seq the page has.
 */
export function follow(id: string, handlers: FollowHandlers): () => void {
  let delay = 1000;
  let stopped = false;
  let socket: WebSocket | undefined;
  const connect = () => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${location.host}/api/v1/executions/${id}/follow?after=${handlers.lastSeq()}`);
    socket.addEventListener('open', () => {
      delay = 1000;
      handlers.onConnection?.(true);
    });
    socket.addEventListener('message', (event) => handlers.onFrame(JSON.parse(String(event.data)) as FollowFrame));
    socket.addEventListener('close', (event) => {
      if (stopped || event.code === 1000) return;
      handlers.onConnection?.(false);
      setTimeout(connect, delay);
      delay = Math.min(15_000, delay * 2);
    });
  };
  connect();
  return () => {
    stopped = true;
    socket?.close(1000);
  };
}
