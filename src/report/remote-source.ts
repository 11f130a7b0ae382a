import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from '../client/api.js';
import { isExecTrackError } from '../errors.js';
import { fromExecutionJson } from '../protocol/json.js';
import type { Execution, MetricPoint, MetricSummary, ReportLine } from '../protocol/types.js';
import { Backoff } from '../client/backoff.js';
import { followSocket } from './follow-socket.js';
import { PAGE_SIZE, type ExecutionData, type FollowEvent, type LineSelection, type SessionData, type Source, type Target } from './source.js';
import { noRuns, notFound, parseTarget } from './target.js';
import { pointFromWire, reportFromWire, sessionFromWire, summariesFromWire } from './wire.js';

/** Options of {@link RemoteSource}. */
export interface RemoteSourceOptions {
  env?: NodeJS.ProcessEnv;
  /** Failed follow reconnects in a row before giving up (default 40: about 3 minutes of a server away). */
  followRetries?: number;
}

/**
 * Reads a server through its API client (client/api.ts: REST answers parsed with the protocol's
 * schemas) and follows executions over its follow WebSocket. The current session is the one kept for
 * this server in the credential store; else the newest session of this machine's user on that
 * server. `last` is the most recently started execution of that session.
 */
export class RemoteSource implements Source {
  readonly label: string;
  readonly #api: ApiClient;
  readonly #retries: number;

  constructor(server: string, options: RemoteSourceOptions = {}) {
    this.label = server;
    this.#api = new ApiClient(server, { env: options.env });
    this.#retries = options.followRetries ?? 40;
  }

  async resolve(target: string | undefined): Promise<Target> {
    const spec = parseTarget(target);
    if (spec.kind === 'session' || spec.kind === 'execution') return spec;
    const sessionId = await this.#currentSession();
    if (spec.kind === 'current') return { kind: 'session', id: sessionId };
    const { executions } = await this.session(sessionId);
    const last = executions.reduce<Execution | undefined>((a, e) => (!a || (e.startedAt ?? 0) >= (a.startedAt ?? 0) ? e : a), undefined);
    if (!last) throw noRuns(`in the current session on ${this.label}`);
    return { kind: 'execution', id: last.id };
  }

  async session(id: string): Promise<SessionData> {
    const body = await this.#read(() => this.#api.getSession(id), 'session', id);
    return { session: sessionFromWire(body.session), executions: body.executions.map(fromExecutionJson) };
  }

  async execution(id: string): Promise<ExecutionData> {
    const body = await this.#read(() => this.#api.getExecution(id), 'execution', id);
    return { execution: fromExecutionJson(body.execution), metrics: summariesFromWire(body.metrics) };
  }

  async summaries(executions: Execution[]): Promise<Map<string, Record<string, MetricSummary>>> {
    const out = new Map<string, Record<string, MetricSummary>>();
    // a few requests at a time: enough to hide latency without flooding a rate-limited server
    for (let i = 0; i < executions.length; i += 8) {
      const batch = executions.slice(i, i + 8);
      const answers = await Promise.all(batch.map((e) => this.execution(e.id)));
      answers.forEach((a) => out.set(a.execution.id, a.metrics));
    }
    return out;
  }

  async *reports(id: string, selection: LineSelection): AsyncIterable<ReportLine[]> {
    let after = -1;
    if ('tail' in selection) {
      if (selection.tail === 0) return;
      const reports = await this.#read(() => this.#api.getReports(id, { tail: Math.min(selection.tail, PAGE_SIZE) }), 'execution', id);
      if (selection.tail <= PAGE_SIZE || reports.length < PAGE_SIZE) {
        yield reports.map(reportFromWire);
        return;
      }
      // the API caps `tail`; seqs are contiguous, so the last n lines start n before the last seq
      after = reports.at(-1)!.seq - selection.tail;
    }
    for (;;) {
      const reports = await this.#read(() => this.#api.getReports(id, { after, limit: PAGE_SIZE }), 'execution', id);
      if (reports.length === 0) return;
      yield reports.map(reportFromWire);
      after = reports.at(-1)!.seq;
    }
  }

  async points(id: string, key?: string): Promise<MetricPoint[]> {
    const { points } = await this.#read(() => this.#api.getMetrics(id, key), 'execution', id);
    return points.map(pointFromWire);
  }

  /**
   * The follow socket, reconnected with backoff (100 ms doubling to 5 s, with jitter) whenever it
   * drops before the execution ended: each connection asks for what comes after the last line and
   * metric point seen (`?after=&pointsAfter=`), so nothing is shown twice or skipped. Gives up after `followRetries` attempts in a
   * row that fail (none succeeding in between) or when the server refuses (an unknown id: NOT_FOUND).
   */
  async *follow(id: string, afterSeq: number, signal: AbortSignal): AsyncIterable<FollowEvent> {
    let lastSeq = afterSeq;
    let pointSeq = afterSeq;
    const path = () => `/executions/${id}/follow?after=${lastSeq}&pointsAfter=${pointSeq}`;
    for await (const event of this.#reconnecting(path, 'execution', id, signal)) {
      if (event.type === 'reports') {
        const reports = event.reports.filter((r) => r.seq > lastSeq);
        if (reports.length === 0) continue;
        lastSeq = reports.at(-1)!.seq;
        yield { type: 'reports', reports };
      } else if (event.type === 'metrics') {
        const points = event.points.filter((p) => p.seq > pointSeq);
        if (points.length === 0) continue;
        pointSeq = Math.max(...points.map((p) => p.seq));
        yield { type: 'metrics', points };
      } else yield event;
    }
  }

  /**
   * The session follow socket (`WS /api/v1/sessions/:id/follow`): one request however long the
   * follow lasts (a poll per second would spend the server's whole per-IP rate limit), reconnected
   * with backoff when it drops.
   */
  async *followSession(id: string, signal: AbortSignal): AsyncIterable<Execution> {
    for await (const event of this.#reconnecting(() => `/sessions/${id}/follow`, 'session', id, signal)) {
      if (event.type === 'execution') yield event.execution;
    }
  }

  /**
   * Frames of the follow socket at `path()` (asked again on each connection, so it can carry where
   * to resume), reconnected with backoff (100 ms doubling to 5 s, with jitter; `Retry-After` honoured)
   * whenever it drops. Gives up after `followRetries` failed attempts in a row, or at once when the
   * server refuses for good (an unknown id: NOT_FOUND).
   */
  async *#reconnecting(path: () => string, kind: 'session' | 'execution', id: string, signal: AbortSignal): AsyncIterable<FollowEvent> {
    const backoff = new Backoff({ capMs: 5_000 });
    for (let failures = 0; ;) {
      try {
        for await (const event of followSocket(this.#api.socketUrl(path()), signal)) {
          failures = 0;
          backoff.reset();
          yield event;
        }
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (isExecTrackError(error) && error.code === 'NOT_FOUND') throw notFound(kind, id, `on ${this.label}`);
        const retryable = isExecTrackError(error) && (error.code === 'SERVER_UNREACHABLE' || error.statusCode === 429 || error.statusCode >= 500);
        if (!retryable || ++failures > this.#retries) throw error;
        const retryAfterMs = isExecTrackError(error) && error.retryAfter ? error.retryAfter * 1000 : 0;
        await sleep(Math.max(backoff.next(), retryAfterMs), undefined, { signal }).catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {}

  async #currentSession(): Promise<string> {
    const { currentSession } = this.#api.credentials.get();
    if (currentSession) return currentSession;
    // none when this machine never contacted the server
    const [newest] = await this.#api.listSessions();
    if (newest) return newest.id;
    // "no runs" only from a server that answers; an unreachable one says so (runs may wait in the spool)
    await this.#api.health();
    throw noRuns(`from this machine on ${this.label}`);
  }

  /** `read()`, with a 404 said as "<kind> <id> not found on <server>". */
  async #read<T>(read: () => Promise<T>, kind: 'session' | 'execution', id: string): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (isExecTrackError(error) && error.statusCode === 404) throw notFound(kind, id, `on ${this.label}`);
      throw error;
    }
  }
}
