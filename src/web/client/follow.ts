/** What a follower does with the frames of a follow socket. */
export interface FollowHandlers<Frame> {
  onFrame: (frame: Frame) => void;
  /** The query that resumes after what the page already has; asked again at every (re)connect. */
  resume: () => Record<string, string>;
  /** Called with true while connected, false while waiting to reconnect. */
  onConnection?: (connected: boolean) => void;
}

/** First wait before a reconnect (ms); it doubles after each failed attempt up to {@link MAX_DELAY_MS}. */
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 15_000;

/**
 * Follows one of the server's follow sockets (docs/api.md): `path` is
 * `/api/v1/executions/<id>/follow` or `/api/v1/sessions/<id>/follow`. A close with 1000 (the
 * execution has ended) is final; any other close (server restart, network) reconnects after 1 s,
 * doubling up to 15 s, with the query `resume()` gives then, so the server sends only what the page
 * lacks. Returns the function that stops following.
 */
export function follow<Frame>(path: string, handlers: FollowHandlers<Frame>): () => void {
  let delay = FIRST_DELAY_MS;
  let stopped = false;
  let socket: WebSocket | undefined;
  const connect = () => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const query = new URLSearchParams(handlers.resume()).toString();
    socket = new WebSocket(`${scheme}://${location.host}${path}${query ? `?${query}` : ''}`);
    socket.addEventListener('open', () => {
      delay = FIRST_DELAY_MS;
      handlers.onConnection?.(true);
    });
    socket.addEventListener('message', (event) => handlers.onFrame(JSON.parse(String(event.data)) as Frame));
    socket.addEventListener('close', (event) => {
      if (stopped || event.code === 1000) return;
      handlers.onConnection?.(false);
      setTimeout(connect, delay);
      delay = Math.min(MAX_DELAY_MS, delay * 2);
    });
  };
  connect();
  return () => {
    stopped = true;
    socket?.close(1000);
  };
}
