import type { Execution } from '../../protocol/types.js';
import type { Store } from '../../store/store.js';
import { InProcessEventBus, type EventBus } from '../events.js';

/** How often {@link PollingEventBus} looks at the followed executions and sessions (ms). */
export const STORE_POLL_MS = 250;

/** What changes when lines are stored (the rolling quota keeps `lineCount` but not `lastSeenAt`). */
const linesMark = (e: Execution) => `${e.lineCount}|${e.lastSeenAt}`;
/** What changes when the state or the outcome does. */
const stateMark = (e: Execution) => `${e.state}|${e.endedAt}|${e.exitCode}|${e.signal}|${e.reason}`;

/**
 * The {@link EventBus} of a server whose store is written by other processes (`exec-track ui` over
 * the embedded store, which local `run`s write): every {@link STORE_POLL_MS} it reads the followed
 * executions (one lookup by id each) and the followed sessions (one list each), and replays what
 * changed since the last look to the local followers — stored lines as `reportsStored`, a new
 * execution or a new state as `executionChanged` — who then read the store after the seq they have,
 * as with any bus. Nothing is read while nobody follows, nor while no other process has committed
 * since the last look (`Store.dataVersion`: SQLite's `PRAGMA data_version`). A baseline is taken when the first follower
 * of an id subscribes (before that follower reads its backlog), so only later changes are replayed.
 */
export class PollingEventBus implements EventBus {
  readonly #local = new InProcessEventBus();
  readonly #store: Store;
  /** Followed execution → its subscribers and its marks at the last look. */
  readonly #executions = new Map<string, { count: number; lines?: string; state?: string }>();
  /** Followed session → its subscribers and the state mark of each of its executions at the last look. */
  readonly #sessions = new Map<string, { count: number; marks?: Map<string, string> }>();
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  #version: number | undefined;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Starts looking every `intervalMs`; {@link stop} ends it. */
  start(intervalMs = STORE_POLL_MS): void {
    this.#timer ??= setInterval(() => void this.poll(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  reportsStored(executionId: string): void {
    this.#local.reportsStored(executionId);
  }

  executionChanged(execution: Execution): void {
    this.#local.executionChanged(execution);
  }

  subscribeSession(sessionId: string, changed: (e: Execution) => void): () => void {
    const entry = this.#sessions.get(sessionId) ?? { count: 0 };
    this.#sessions.set(sessionId, entry);
    if (entry.count++ === 0) {
      void this.#store.listExecutions(sessionId).then((list) => (entry.marks ??= new Map(list.map((e) => [e.id, stateMark(e)]))));
    }
    return counted(this.#sessions, sessionId, this.#local.subscribeSession(sessionId, changed));
  }

  subscribe(executionId: string, handlers: { reports: () => void; state: (e: Execution) => void }): () => void {
    const entry = this.#executions.get(executionId) ?? { count: 0 };
    this.#executions.set(executionId, entry);
    if (entry.count++ === 0) {
      void this.#store.getExecution(executionId).then((e) => {
        if (e && entry.lines === undefined) Object.assign(entry, { lines: linesMark(e), state: stateMark(e) });
      });
    }
    return counted(this.#executions, executionId, this.#local.subscribe(executionId, handlers));
  }

  /** One look at the store; a look still running when the next is due makes that one a no-op. */
  async poll(): Promise<void> {
    if (this.#polling || (this.#executions.size === 0 && this.#sessions.size === 0)) return;
    this.#polling = true;
    try {
      // nothing committed by another process since the last look (SQLite): nothing to read
      const version = await this.#store.dataVersion?.();
      if (version !== undefined && version === this.#version) return;
      this.#version = version;
      for (const [id, entry] of this.#executions) {
        const e = await this.#store.getExecution(id);
        if (!e || entry.lines === undefined) continue;
        const [lines, state] = [linesMark(e), stateMark(e)];
        if (lines !== entry.lines) this.#local.reportsStored(id);
        // a state change of an execution also followed through its session is replayed by the session's look below
        if (state !== entry.state && !this.#sessions.get(e.sessionId)?.marks) this.#local.executionChanged(e);
        Object.assign(entry, { lines, state });
      }
      for (const [sessionId, entry] of this.#sessions) {
        if (!entry.marks) continue;
        for (const e of await this.#store.listExecutions(sessionId)) {
          const mark = stateMark(e);
          if (entry.marks.get(e.id) === mark) continue;
          entry.marks.set(e.id, mark);
          this.#local.executionChanged(e);
          const followed = this.#executions.get(e.id);
          if (followed) followed.state = mark;
        }
      }
    } finally {
      this.#polling = false;
    }
  }
}

/** Counts a subscription of `id` in `counts`; the last unsubscribe forgets the id (and its marks). */
function counted(counts: Map<string, { count: number }>, id: string, unsubscribe: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    unsubscribe();
    const entry = counts.get(id);
    if (entry && --entry.count <= 0) counts.delete(id);
  };
}
