import type { WebSocket, WebSocketServer } from 'ws';

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
