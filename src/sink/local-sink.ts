import { newId } from '../protocol/ids.js';
import type { Outcome, ReportLine } from '../protocol/types.js';
import type { ExecutionInit, OpenedExecution, Sink } from './sink.js';
import type { Store } from '../store/store.js';
import { resolveLocalSession } from './local-session.js';
import { SpaceReserve } from './space-reserve.js';

/** Tuning of a {@link LocalSink}; every field has a default. */
export interface LocalSinkOptions {
  env?: NodeJS.ProcessEnv;
  /** Lines per `appendReports` call (default 1000). */
  batchLines?: number;
  /** Longest time a line waits before it is written (ms, default 100). */
  flushMs?: number;
  /** Heartbeat (`touchExecution`) interval (ms, default 5000). */
  heartbeatMs?: number;
  /** Unwritten lines above which the runner is asked to stop reading (default 20 000)… */
  maxPendingLines?: number;
  /** …or unwritten text characters (default 32 Mi). */
  maxPendingChars?: number;
  /** Prints a one-line warning (default: `exec-track: …` on stderr). */
  warn?: (message: string) => void;
  /** Where to keep a {@link SpaceReserve} while the command runs (default: none). */
  reservePath?: string | null;
}

/**
 * The embedded-mode {@link Sink} (DESIGN §3): writes straight to the {@link Store} given to it
 * (the caller opens and closes it). Lines are batched — one `appendReports` per 1000 lines or per
 * 100 ms, whichever comes first — and the pending batch is bounded: beyond it
 * {@link backpressure} makes the runner wait for the store. Heartbeats are `touchExecution` calls.
 * A failing store is reported once and never stops the command. When a batch cannot be stored (a
 * full disk), storing stops there: later lines are counted, not stored, and at the end the space
 * reserve is released and a marker line at that seq plus the outcome (its reason naming the stop,
 * when it has none) are recorded (docs/reliability.md "A full disk").
 */
export class LocalSink implements Sink {
  readonly #store: Store;
  readonly #options: Required<LocalSinkOptions>;
  #executionId = '';
  /** Unwritten lines: full batches, then the one being filled (a queue of batches: splicing one long array cost ~60 ms per 1M lines). */
  #full: { lines: ReportLine[]; chars: number }[] = [];
  #filling: ReportLine[] = [];
  #fillingChars = 0;
  #pendingLines = 0;
  #pendingChars = 0;
  #timer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #warned = false;
  /** Set once a batch failed: the seq storing stopped at, and why. */
  #stopped: { seq: number; why: string } | undefined;
  #dropped = 0;
  #reserve: SpaceReserve | undefined;
  #reserving: NodeJS.Immediate | undefined;

  constructor(store: Store, options: LocalSinkOptions = {}) {
    this.#store = store;
    this.#options = {
      env: process.env,
      batchLines: 1000,
      flushMs: 100,
      heartbeatMs: 5000,
      maxPendingLines: 20_000,
      maxPendingChars: 32 * 1024 * 1024,
      warn: (message) => void process.stderr.write(`exec-track: ${message}\n`),
      reservePath: null,
      ...options,
    };
  }

  /** @throws ExecTrackError NOT_FOUND for an unknown `--session` id; store errors as thrown by the store. */
  async open(init: ExecutionInit): Promise<OpenedExecution> {
    const session = await resolveLocalSession(this.#store, init.session, this.#options.env);
    const { id } = await this.#store.createExecution({
      id: newId('e'),
      sessionId: session.id,
      name: init.name,
      command: init.command,
      cwd: init.cwd,
      host: init.host,
      pid: init.pid,
      startedAt: init.startedAt,
      // embedded: the wrapper is the receiver, and its clock took startedAt
      receivedAt: init.startedAt,
      metrics: init.metrics,
      context: init.context,
    });
    this.#executionId = id;
    // made just after the caller started the command (an immediate runs once open's caller yields):
    // its 256 KiB write is then off the command's start (B4)
    const { reservePath } = this.#options;
    if (reservePath) this.#reserving = setImmediate(() => (this.#reserve = new SpaceReserve(reservePath)));
    this.#heartbeat = setInterval(() => {
      this.#store.touchExecution(id, Date.now()).catch(() => undefined);
    }, this.#options.heartbeatMs).unref();
    return { sessionId: session.id, executionId: id };
  }

  write(line: ReportLine): void {
    this.#filling.push(line);
    this.#fillingChars += line.text.length;
    this.#pendingLines += 1;
    this.#pendingChars += line.text.length;
    if (this.#filling.length === this.#options.batchLines) {
      this.#full.push({ lines: this.#filling, chars: this.#fillingChars });
      this.#filling = [];
      this.#fillingChars = 0;
      // a full batch is written now (SQLite is synchronous underneath): lines waiting for a timer
      // outlived young-generation GCs, and copying them cost more than the writes (issue 6, B3m)
      void this.#flush();
    } else if (this.#timer === undefined) this.#schedule(this.#options.flushMs);
  }

  backpressure(): Promise<void> | null {
    const { maxPendingLines, maxPendingChars } = this.#options;
    if (this.#pendingLines < maxPendingLines && this.#pendingChars < maxPendingChars) return null;
    return this.#flush();
  }

  /** @throws the store's error when even the released reserve does not make room for the outcome. */
  async finish(outcome: Outcome): Promise<void> {
    clearInterval(this.#heartbeat);
    await this.#flush();
    clearImmediate(this.#reserving);
    this.#reserve?.release();
    const stopped = this.#stopped;
    if (stopped) {
      const note = `storing stopped at line ${stopped.seq} (${stopped.why}): ${this.#dropped} lines from there on were not stored`;
      const marker: ReportLine = { seq: stopped.seq, ts: outcome.endedAt, stream: 'stderr', text: `[exec-track: ${note}; the command ran on]` };
      await this.#store.appendReports(this.#executionId, [marker]);
      outcome = { ...outcome, reason: outcome.reason ?? note };
    }
    await this.#store.finishExecution(this.#executionId, outcome);
    if (stopped) this.#options.warn(`${outcome.reason}; recorded the outcome and a marker line where storing stopped.`);
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#flush();
    }, delayMs);
  }

  /** Writes everything pending, one batch at a time; concurrent callers share the same run. */
  #flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing ??= (async () => {
      while (this.#pendingLines > 0) {
        const batch = this.#takeBatch();
        // after a failed batch nothing later can be stored (seqs must be contiguous): count, don't retry
        if (this.#stopped) {
          this.#dropped += linesIn(batch);
          continue;
        }
        try {
          await this.#store.appendReports(this.#executionId, batch);
        } catch (error) {
          this.#stopped = { seq: batch[0]!.seq, why: (error as Error).message };
          this.#dropped += linesIn(batch);
          this.#warnOnce(`could not store output lines (${(error as Error).message}); storing stopped at line ${batch[0]!.seq}, the command keeps running.`);
        }
      }
    })().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** The oldest full batch, else the one being filled. */
  #takeBatch(): ReportLine[] {
    let batch = this.#full.shift();
    if (!batch) {
      batch = { lines: this.#filling, chars: this.#fillingChars };
      this.#filling = [];
      this.#fillingChars = 0;
    }
    this.#pendingLines -= batch.lines.length;
    this.#pendingChars -= batch.chars;
    return batch.lines;
  }

  #warnOnce(message: string): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#options.warn(message);
  }
}

/** The output lines of a batch: a points record (issue 12) takes a seq but is no line. */
function linesIn(batch: ReportLine[]): number {
  return batch.reduce((n, record) => (record.points ? n : n + 1), 0);
}
