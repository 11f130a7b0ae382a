import WebSocket from 'ws';
import { ExecTrackError } from '../errors.js';
import { streamServerFrame, type StreamServerFrame } from '../protocol/frames.js';

/** What the owner of a {@link StreamSocket} hears after the welcome. */
export interface StreamHandlers {
  onAck(lastSeq: number): void;
  onFinished(): void;
  /** Called once when the socket closes for any reason (the server's `error` frame included). */
  onClose(): void;
}

/** Timing of a stream socket (ms). */
export interface StreamTiming {
  /** Connect + upgrade + welcome must take less than this. */
  handshakeMs: number;
  /** WebSocket ping interval: the wrapper's heartbeat (DESIGN §7). */
  heartbeatMs: number;
  /** Abandons the connection attempt or the connection. */
  signal: AbortSignal;
}

/**
 * One connection of `WS /api/v1/executions/:id/stream` (docs/api.md): authenticated with the claim
 * key in the upgrade's Authorization header, resolved once the server's `welcome` arrives. Pings
 * every `heartbeatMs`; a server that answers no ping for three intervals is dropped so the caller
 * reconnects. Upgrade refusals become ExecTrackError (401 UNAUTHORIZED, 404 NOT_FOUND, 429
 * RATE_LIMITED with `retryAfter`, other SERVER_ERROR); network failures SERVER_UNREACHABLE.
 */
export class StreamSocket {
  readonly lastSeq: number;
  readonly #ws: WebSocket;

  private constructor(ws: WebSocket, lastSeq: number) {
    this.#ws = ws;
    this.lastSeq = lastSeq;
  }

  /** Connects and waits for the welcome frame. */
  static open(url: string, claimKey: string, handlers: StreamHandlers, timing: StreamTiming): Promise<StreamSocket> {
    const origin = new URL(url).host;
    if (timing.signal.aborted) return Promise.reject(new ExecTrackError('SERVER_UNREACHABLE', 'The stream was abandoned because the run ended.'));
    // an all-zero mask lets ws skip XOR-ing every byte sent (~0.3 s per 1M lines, issue 6 B3): masking
    // (RFC 6455 §5.3) guards intermediaries against scripts in browsers, not a CLI writing its own lines
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${claimKey}` }, perMessageDeflate: false, generateMask: (mask) => void mask.fill(0) });
    return new Promise((resolve, reject) => {
      let socket: StreamSocket | undefined;
      let refusal: ExecTrackError | undefined;
      let lastPong = Date.now();
      let heartbeat: NodeJS.Timeout | undefined;
      const handshake = setTimeout(() => ws.terminate(), timing.handshakeMs);
      const abort = () => ws.terminate();
      timing.signal.addEventListener('abort', abort, { once: true });
      ws.on('unexpected-response', (_req, res) => {
        res.resume();
        refusal = refusalError(res.statusCode ?? 0, res.headers['retry-after'], origin);
        ws.terminate();
      });
      ws.on('error', () => {
        // reported through 'close'; the listener keeps a bad peer from crashing the wrapper
      });
      ws.on('pong', () => (lastPong = Date.now()));
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const frame = parseServerFrame(data.toString());
        // a frame this build does not know (not JSON, or not docs/api.md's shape) is left alone
        if (!frame) return;
        if (frame.type === 'welcome' && !socket) {
          clearTimeout(handshake);
          socket = new StreamSocket(ws, frame.lastSeq);
          heartbeat = setInterval(() => {
            if (Date.now() - lastPong > 3 * timing.heartbeatMs) return ws.terminate();
            ws.ping();
          }, timing.heartbeatMs).unref();
          resolve(socket);
        } else if (frame.type === 'ack') handlers.onAck(frame.lastSeq);
        else if (frame.type === 'finished') handlers.onFinished();
      });
      ws.on('close', () => {
        timing.signal.removeEventListener('abort', abort);
        clearTimeout(handshake);
        clearInterval(heartbeat);
        if (socket) return handlers.onClose();
        reject(
          refusal ??
            new ExecTrackError('SERVER_UNREACHABLE', `Cannot reach the exec-track server at ${origin}; check that it is running and the URL is right.`),
        );
      });
    });
  }

  /** True while frames can be sent. */
  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  /** Bytes queued in the socket but not yet handed to the network (backpressure). */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  /**
   * Sends one text frame (already-serialised JSON, as UTF-8 bytes or a string); `written` is called
   * once the socket no longer needs `frame` (written out, or the socket failed).
   */
  send(frame: string | Buffer, written?: () => void): void {
    this.#ws.send(frame, { binary: false }, written && (() => written()));
  }
}

function refusalError(status: number, retryAfterHeader: string | string[] | undefined, origin: string): ExecTrackError {
  if (status === 401) return new ExecTrackError('UNAUTHORIZED', 'The server refused the claim key; it will be renewed.');
  if (status === 404) return new ExecTrackError('NOT_FOUND', 'The server does not know this execution; it will be created again.');
  if (status === 429) {
    const retryAfter = Number(retryAfterHeader ?? 0) || 60;
    return ExecTrackError.of('RATE_LIMITED', { from: 'this machine', retryAfter });
  }
  return new ExecTrackError('SERVER_ERROR', `The exec-track server at ${origin} refused the stream with HTTP ${status}; check the server URL and logs.`, {
    statusCode: status,
  });
}

/** A stream-socket frame from the server, checked against {@link streamServerFrame}; undefined when it is not one. */
function parseServerFrame(text: string): StreamServerFrame | undefined {
  try {
    const parsed = streamServerFrame.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
