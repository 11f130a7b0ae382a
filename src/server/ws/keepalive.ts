import type { WebSocket, WebSocketServer } from 'ws';

const alive = new WeakSet<WebSocket>();

/** Marks a socket as heard from (a pong, a ping or any message). */
export function heard(ws: WebSocket): void {
  alive.add(ws);
}

/**
 * Kills idle and half-open sockets: every `intervalMs` each socket is pinged, and one that has
 * not been heard from since the previous round is terminated (the ws library's heartbeat pattern).
 * Returns the stop function.
 */
export function startKeepalive(wss: WebSocketServer, intervalMs: number): () => void {
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Wires the events that count as "heard from" on a new socket; returns the socket. */
export function watch(ws: WebSocket): WebSocket {
  heard(ws);
  ws.on('pong', () => heard(ws));
  ws.on('ping', () => heard(ws));
  ws.on('message', () => heard(ws));
  return ws;
}
