import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { embeddedDbPath } from '../config/paths.js';
import { currentLocalSession } from '../sink/local-session.js';
import type { Execution, MetricPoint, MetricSummary, ReportLine } from '../protocol/types.js';
import { reapGhosts } from '../store/ghosts.js';
import { openReadable } from '../store/open.js';
import type { Store } from '../store/store.js';
import { PAGE_SIZE, type ExecutionData, type FollowEvent, type LineSelection, type SessionData, type Source, type Target } from './source.js';
import { noRuns, notFound, parseTarget } from './target.js';
import { DEFAULTS } from '../defaults.js';

/** Options of {@link LocalSource}. */
export interface LocalSourceOptions {
  env?: NodeJS.ProcessEnv;
  /** A Running execution of this host whose wrapper is gone, or silent this long (ms), is reaped as Exec crushed (default 60 000, DESIGN §2). */
  staleMs?: number;
  /** Poll interval of {@link LocalSource.follow} in ms (default 250). */
  pollMs?: number;
}

const WHERE = 'in the embedded store';

/**
 * Reads the embedded SQLite store. Opening is lazy and never creates the database: with no
 * database file there is nothing to show (NO_RUNS / NOT_FOUND). Every execution read is passed
 * through `reapGhosts` so a wrapper that died never leaves a `Running` ghost (DESIGN §2).
 */
export class LocalSource implements Source {
  readonly label = 'embedded store';
  readonly #env: NodeJS.ProcessEnv;
  readonly #staleMs: number;
  readonly #pollMs: number;
  #store: Store | undefined;

  constructor(options: LocalSourceOptions = {}) {
    this.#env = options.env ?? process.env;
    this.#staleMs = options.staleMs ?? DEFAULTS.heartbeatTimeoutMs;
    this.#pollMs = options.pollMs ?? 250;
  }

  async resolve(target: string | undefined): Promise<Target> {
    const spec = parseTarget(target);
    if (spec.kind === 'session' || spec.kind === 'execution') return spec;
    const store = await this.#open();
    if (!store) throw noRuns(WHERE);
    if (spec.kind === 'last') {
      const last = await store.lastExecution(null);
      if (!last) throw noRuns(WHERE);
      return { kind: 'execution', id: last.id };
    }
    const current = await currentLocalSession(store, this.#env);
    if (!current) throw noRuns(WHERE);
    return { kind: 'session', id: current.id };
  }

  async session(id: string): Promise<SessionData> {
    const store = await this.#open();
    const session = await store?.getSession(id);
    if (!store || !session) throw notFound('session', id, WHERE);
    return { session, executions: await this.#reap(store, await store.listExecutions(id)) };
  }

  async execution(id: string): Promise<ExecutionData> {
    const store = await this.#open();
    const execution = await this.#get(store, id);
    return { execution, metrics: await store!.metricSummary(id) };
  }

  async summaries(executions: Execution[]): Promise<Map<string, Record<string, MetricSummary>>> {
    const store = await this.#open();
    const out = new Map<string, Record<string, MetricSummary>>();
    for (const e of executions) out.set(e.id, store ? await store.metricSummary(e.id) : {});
    return out;
  }

  async *reports(id: string, selection: LineSelection): AsyncIterable<ReportLine[]> {
    const store = await this.#open();
    await this.#get(store, id);
    if ('tail' in selection) {
      if (selection.tail === 0) return;
      const lines = await store!.readReports(id, { tail: selection.tail });
      for (let i = 0; i < lines.length; i += PAGE_SIZE) yield lines.slice(i, i + PAGE_SIZE);
      return;
    }
    let after = -1;
    for (;;) {
      const page = await store!.readReports(id, { after, limit: PAGE_SIZE });
      if (page.length === 0) return;
      yield page;
      after = page.at(-1)!.seq;
    }
  }

  async points(id: string, key?: string): Promise<MetricPoint[]> {
    const store = await this.#open();
    await this.#get(store, id);
    return store!.metricPoints(id, key);
  }

  /** Polls the store every `pollMs`: new lines by seq, new points of the keys whose count grew, state changes. */
  async *follow(id: string, afterSeq: number, signal: AbortSignal): AsyncIterable<FollowEvent> {
    const store = await this.#open();
    let execution = await this.#get(store, id);
    yield { type: 'execution', execution };
    let lastSeq = afterSeq;
    while (!signal.aborted) {
      const ended = execution.state !== 'Running';
      const before = lastSeq;
      for (;;) {
        const page = await store!.readReports(id, { after: lastSeq, limit: PAGE_SIZE });
        if (page.length === 0) break;
        lastSeq = page.at(-1)!.seq;
        yield { type: 'reports', reports: page };
      }
      // points only come with lines: an idle tick reads none, a busy one only the chunks after `before`
      const points =
        lastSeq === before
          ? []
          : (await store!.metricPoints(id, undefined, { afterSeq: before })).filter((p) => p.seq <= lastSeq).sort((a, b) => a.seq - b.seq);
      if (points.length > 0) yield { type: 'metrics', points };
      if (ended) return;
      const now = await this.#get(store, id);
      if (now.state !== execution.state || now.endedAt !== execution.endedAt) yield { type: 'execution', execution: now };
      execution = now;
      if (execution.state === 'Running') await sleep(this.#pollMs, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Polls the session every `pollMs` (a local file: cheap) and yields every execution each time. */
  async *followSession(id: string, signal: AbortSignal): AsyncIterable<Execution> {
    while (!signal.aborted) {
      yield* (await this.session(id)).executions;
      await sleep(this.#pollMs, undefined, { signal }).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.#store?.close();
    this.#store = undefined;
  }

  async #get(store: Store | undefined, id: string): Promise<Execution> {
    const execution = await store?.getExecution(id);
    if (!store || !execution) throw notFound('execution', id, WHERE);
    const [reaped] = await this.#reap(store, [execution]);
    return reaped!;
  }

  async #reap(store: Store, executions: Execution[]): Promise<Execution[]> {
    try {
      return await reapGhosts(store, executions, { host: hostname(), now: Date.now(), staleMs: this.#staleMs });
    } catch (error) {
      // a store opened read-only on a full disk shows ghosts as stored rather than not at all
      if (isReadonly(error)) return executions;
      throw error;
    }
  }

  async #open(): Promise<Store | undefined> {
    if (this.#store) return this.#store;
    const path = embeddedDbPath(this.#env);
    if (!existsSync(path)) return undefined;
    this.#store = await openReadable(path);
    return this.#store;
  }
}

function isReadonly(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'SQLITE_READONLY';
}
