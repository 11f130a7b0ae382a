import { ApiClient } from '../client/api.js';
import { Backoff } from '../client/backoff.js';
import { FrameBuffers } from './frame-buffers.js';
import { resolveRemoteSession } from './remote-session.js';
import { createOnServer, recoverLostExecution } from '../spool/server-copy.js';
import { parseServerUrl } from '../config/server-url.js';
import { SpoolWriter } from '../spool/spool-writer.js';
import { StreamSocket } from '../client/stream-socket.js';
import { isExecTrackError, type ExecTrackError } from '../errors.js';
import { isRefusedForGood } from '../client/refusal.js';
import { REJECTED_DIR, setAside } from '../spool/set-aside.js';
import { join } from 'node:path';
import { newId } from '../protocol/ids.js';
import type { Outcome, ReportLine } from '../protocol/types.js';
import type { RunRule } from '../spool/spool-files.js';
import type { ExecutionInit, OpenedExecution, Sink } from './sink.js';

/** Options of {@link RemoteSink}. Times in ms. */
export interface RemoteSinkOptions {
  server: string;
  env?: NodeJS.ProcessEnv;
  /** Drops the pending-spool notice (warnings about the server are still shown). */
  quiet?: boolean;
  /** After the child exits, give up waiting for the server after this long without progress (default 10 000). */
  finishWaitMs?: number;
  /** WebSocket ping interval (default 5 000). */
  heartbeatMs?: number;
  /** Where notices go (default process.stderr). */
  stderr?: (text: string) => void;
  /** The run's own notification rules (`run --notify`): kept in the spool and registered with the execution, also by a later `sync`. */
  notify?: RunRule[];
}

// 5 000-line frames measured no faster for plain lines and ~15% slower for metric lines (the server
// ingests one frame at a time, so a larger frame overlaps less with the wrapper's work; issue 6, B3)
const BATCH_LINES = 1000;
const BATCH_BYTES = 512 * 1024;
const BATCH_MS = 50;
// Unacked lines on the wire. Acks are read between the wrapper's reads of the command's output
// (~20 000 lines per event-loop turn for a fast child), so a window smaller than that starves the
// server: with 10 000, the server idled while the child ran and ingested most lines after it ended
// (B3 ~2.4 s, 1 s of it after the child; 50 000: ~2.0 s, 0.35 s after). Memory stays bounded by
// MAX_BUFFERED_BYTES; 100 000 gained nothing.
const MAX_IN_FLIGHT_LINES = 50_000;
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const FRAME_HEAD = Buffer.from('{"type":"lines","lines":[');

/**
 * The server-mode Sink (DESIGN §3, §7; docs/reliability.md). `open` mints the ids locally and
 * returns at once, so a run starts even with the server down; creating the session and execution
 * over REST and streaming over WebSocket happen in the background, with reconnects (exponential
 * backoff + jitter) that resume from the server's `lastSeq`. `write` only appends to the spool
 * (sends read it back as bytes, so memory stays bounded however far behind the server is). Server
 * trouble is reported in ONE stderr line and never thrown. A refusal for good (a 4xx that no retry
 * can change, client/refusal.ts) stops the sending, and the spool is set aside in `rejected/` at the end (spool/set-aside.ts).
 */
export class RemoteSink implements Sink {
  readonly #options: Required<Omit<RemoteSinkOptions, 'env'>> & { env: NodeJS.ProcessEnv };
  readonly #api: ApiClient;
  readonly #backoff = new Backoff();
  readonly #abort = new AbortController();
  /** Frame memory: FRAME_HEAD.length bytes before the lines for the head, one after for the closing brace. */
  readonly #frameBuffers = new FrameBuffers(FRAME_HEAD.length, 1);
  #spool!: SpoolWriter;
  #socket: StreamSocket | undefined;
  #nextSeq = 0;
  #sentSeq = -1;
  #ackedSeq = -1;
  #stopped = false;
  #everConnected = false;
  #warned = false;
  /** The server's answer when it refused this execution for good (client/refusal.ts): nothing is sent any more. */
  #refused: ExecTrackError | undefined;
  #interrupted = false;
  /** Writes the wrapper's heartbeat into the spool every `heartbeatMs`. */
  #alive: NodeJS.Timeout | undefined;
  #renewClaim = false;
  /** Claim keys refused (401) since the last successful connection. */
  #refusedKeys = 0;
  #pumpTimer: NodeJS.Timeout | undefined;
  #pumpSoon: NodeJS.Immediate | undefined;
  #wake: (() => void) | undefined;
  #finish: { outcome: Outcome; sent: boolean; timer?: NodeJS.Timeout; done: (finished: boolean) => void } | undefined;

  /** @throws ExecTrackError USAGE when `server` is not an http(s) URL. */
  constructor(options: RemoteSinkOptions) {
    const server = parseServerUrl(options.server);
    this.#options = {
      env: process.env,
      quiet: false,
      finishWaitMs: 10_000,
      heartbeatMs: 5_000,
      stderr: (text) => void process.stderr.write(text),
      notify: [],
      ...options,
      server,
    };
    this.#api = new ApiClient(server, { env: this.#options.env, timeoutMs: 5_000, signal: this.#abort.signal });
  }

  async open(init: ExecutionInit): Promise<OpenedExecution> {
    const session = await resolveRemoteSession(this.#api, init.session);
    const { name, command, cwd, host, pid, startedAt, metrics, context } = init;
    const execution = { id: newId('e'), name, command, cwd, host, pid, startedAt, metrics, context };
    this.#spool = SpoolWriter.create(
      {
        server: this.#options.server,
        session,
        execution,
        outcome: null,
        sessionCreated: session.title === null,
        executionCreated: false,
        wrapperPid: process.pid,
        ...(this.#options.notify.length > 0 ? { notify: this.#options.notify, notifyRegistered: 0 } : {}),
      },
      this.#options.env,
    );
    this.#spool.markAlive(Date.now());
    this.#alive = setInterval(() => this.#spool.markAlive(Date.now()), this.#options.heartbeatMs).unref();
    void this.#loop();
    return { sessionId: session.id, executionId: execution.id };
  }

  write(line: ReportLine): void {
    this.#spool.append(line);
    this.#nextSeq = line.seq + 1;
    if (this.#nextSeq - 1 - this.#sentSeq >= BATCH_LINES) this.#pumpSoon ??= setImmediate(() => this.#pump());
    this.#pumpTimer ??= setTimeout(() => this.#pump(), BATCH_MS);
  }

  async finish(outcome: Outcome): Promise<void> {
    this.#spool.updateMeta({ outcome });
    this.#spool.flush();
    const finished = await new Promise<boolean>((resolve) => {
      let settled = false;
      this.#finish = { outcome, sent: false, done: (ok) => (settled ? undefined : ((settled = true), resolve(ok))) };
      if (this.#refused) return this.#finish.done(false);
      this.#progress();
      this.#pump();
    });
    this.#stop();
    if (finished) return this.#spool.remove();
    this.#spool.close();
    if (this.#refused) return void setAside(this.#spool.dir, this.#refused);
    if (this.#interrupted) {
      this.#options.stderr(
        `exec-track: stopped waiting for the server ${this.#options.server}; the rest of the run waits in ${this.#spool.dir}, run \`exec-track sync\` later\n`,
      );
    } else if (!this.#warned)
      this.#options.stderr(
        `exec-track: the server ${this.#options.server} did not confirm the end of the run; it waits in ${this.#spool.dir}, run \`exec-track sync\` later\n`,
      );
  }

  /** Ctrl-C during the end-of-run wait: stop waiting now; the spool keeps what the server did not confirm. */
  interrupt(): void {
    if (!this.#finish) return;
    this.#interrupted = true;
    this.#finish.done(false);
  }

  async #loop(): Promise<void> {
    while (!this.#stopped && !this.#refused) {
      // a 429 says how long to stay away (Retry-After); never come back sooner
      let retryAfterMs = 0;
      try {
        await this.#ensureCreated();
        // a server that answered is reachable, only slow: a handshake that times out under load
        // (16 runs starting at once, issue 6 B5) must not make the end of the run give up on it at once
        this.#everConnected = true;
        const key = await this.#api.claimKey(this.#renewClaim);
        this.#renewClaim = false;
        let closed!: () => void;
        const whenClosed = new Promise<void>((resolve) => (closed = resolve));
        const handlers = { onAck: (seq: number) => this.#onAck(seq), onFinished: () => this.#finish?.done(true), onClose: () => closed() };
        const timing = { handshakeMs: 5_000, heartbeatMs: this.#options.heartbeatMs, signal: this.#abort.signal };
        this.#socket = await StreamSocket.open(this.#api.streamUrl(this.#spool.meta.execution.id), key, handlers, timing);
        this.#onConnected(this.#socket.lastSeq);
        await whenClosed;
      } catch (error) {
        if (!this.#stopped) this.#onFailure(error);
        retryAfterMs = isExecTrackError(error) && error.retryAfter ? error.retryAfter * 1000 : 0;
      }
      this.#socket = undefined;
      if (!this.#stopped && !this.#refused) await this.#sleep(Math.max(this.#backoff.next(), retryAfterMs));
    }
  }

  #ensureCreated(): Promise<void> {
    return createOnServer(this.#api, this.#spool);
  }

  #onConnected(lastSeq: number): void {
    this.#everConnected = true;
    this.#refusedKeys = 0;
    this.#backoff.reset();
    // a welcome is progress only when the server holds more than it had acked (reconnecting alone
    // must not keep a run waiting forever on a server that never confirms the end)
    const advanced = lastSeq > this.#ackedSeq;
    this.#ackedSeq = lastSeq;
    this.#sentSeq = lastSeq;
    if (advanced) this.#spool.setAcked(lastSeq);
    if (advanced) this.#progress();
    if (this.#finish) this.#finish.sent = false;
    this.#pump();
  }

  #onAck(lastSeq: number): void {
    if (lastSeq <= this.#ackedSeq) return;
    this.#ackedSeq = lastSeq;
    this.#spool.setAcked(lastSeq);
    this.#progress();
    this.#pump();
  }

  #onFailure(error: unknown): void {
    const code = isExecTrackError(error) ? error.code : undefined;
    if (code === 'UNAUTHORIZED') {
      // renew the key and retry at once; a key refused right after renewal is worth the warning
      this.#renewClaim = true;
      if (this.#refusedKeys++ === 0) return;
    }
    // the server lost the execution (a new database): the next attempt creates it again and resends everything
    if (recoverLostExecution(error, this.#spool)) return;
    if (isRefusedForGood(error)) return this.#onRefused(error);
    if (!this.#warned) {
      this.#warned = true;
      const why = code === 'SERVER_UNREACHABLE' ? `server ${this.#options.server} unreachable` : (error as Error).message.replace(/\.$/, '');
      this.#options.stderr(`exec-track: ${why}; spooling to ${this.#spool.dir}, run \`exec-track sync\` later if it does not come back\n`);
    }
    // a server never reached during the whole run is not waited for at the end
    if (!this.#everConnected) this.#finish?.done(false);
  }

  /** The server will never take this execution: say so once, stop sending, set the spool aside at the end. */
  #onRefused(error: ExecTrackError): void {
    this.#refused = error;
    this.#warned = true;
    const aside = join(this.#spool.dir, '..', REJECTED_DIR, this.#spool.meta.execution.id);
    this.#options.stderr(
      `exec-track: the server refused this execution for good (${error.message.replace(/\.$/, '')}); the command runs on untracked, its output is set aside in ${aside}\n`,
    );
    this.#finish?.done(false);
  }

  #pump(): void {
    clearTimeout(this.#pumpTimer);
    clearImmediate(this.#pumpSoon);
    this.#pumpTimer = this.#pumpSoon = undefined;
    const socket = this.#socket;
    if (!socket?.open) return;
    while (this.#sentSeq + 1 < this.#nextSeq && this.#sentSeq - this.#ackedSeq < MAX_IN_FLIGHT_LINES && socket.bufferedAmount < MAX_BUFFERED_BYTES) {
      const { bytes, count } = this.#spool.readLines(this.#sentSeq + 1, BATCH_LINES, BATCH_BYTES, (size) => this.#frameBuffers.take(size));
      if (count === 0) break;
      const frame = linesFrame(bytes);
      socket.send(frame, () => this.#frameBuffers.recycle(frame));
      this.#sentSeq += count;
    }
    if (this.#finish && !this.#finish.sent && this.#ackedSeq === this.#nextSeq - 1) {
      socket.send(JSON.stringify({ type: 'finish', outcome: this.#finish.outcome }));
      this.#finish.sent = true;
    }
  }

  /** Restarts the bounded end-of-run wait: it only expires after `finishWaitMs` without progress. */
  #progress(): void {
    const finish = this.#finish;
    if (!finish) return;
    clearTimeout(finish.timer);
    finish.timer = setTimeout(() => finish.done(false), this.#options.finishWaitMs);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms).unref();
      this.#wake = () => (clearTimeout(timer), resolve());
    });
  }

  #stop(): void {
    this.#stopped = true;
    clearInterval(this.#alive);
    clearTimeout(this.#finish?.timer);
    clearTimeout(this.#pumpTimer);
    clearImmediate(this.#pumpSoon);
    this.#wake?.();
    this.#abort.abort();
  }
}

/**
 * A `lines` frame made in place around spooled NDJSON bytes read into {@link FrameBuffers} memory
 * (FRAME_HEAD.length bytes free before them, one after):
 * the head goes in the room before, each line's newline becomes the array's comma (JSON text never
 * holds a raw newline), the last one the `]`, and the `}` takes the byte after.
 */
function linesFrame(ndjson: Buffer): Buffer {
  const frame = Buffer.from(ndjson.buffer, ndjson.byteOffset - FRAME_HEAD.length, FRAME_HEAD.length + ndjson.length + 1);
  FRAME_HEAD.copy(frame, 0);
  const last = frame.length - 2;
  for (let nl = frame.indexOf(10, FRAME_HEAD.length); nl !== -1 && nl < last; nl = frame.indexOf(10, nl + 1)) frame[nl] = 44;
  frame[last] = 0x5d; // ]
  frame[last + 1] = 0x7d; // }
  return frame;
}
