import { randomBytes } from 'node:crypto';
import type { Execution } from '../../protocol/types.js';
import { MAX_PAYLOAD_BYTES } from '../../store/postgres/channel.js';
import type { Store } from '../../store/store.js';
import { InProcessEventBus, type EventBus } from '../events.js';

/**
 * A notification between instances: ids and seqs only, never rows (followers read lines from the
 * database, so a payload stays far below PostgreSQL's 8 000-byte limit). `i` is the sending
 * instance, `r` [execution id, last seq stored] pairs, `e` [execution id, session id] pairs of
 * executions created or changed.
 */
interface Payload {
  i: string;
  r: [string, number][];
  e: [string, string][];
}

/** Sends one payload to every instance (src/store/postgres/channel.ts). */
export type Notify = (payload: string) => Promise<void>;

/**
 * The {@link EventBus} of several instances on one PostgreSQL (issue 13 point 3). Local followers
 * hear local writes at once, as with {@link InProcessEventBus}; the writes of one event-loop turn
 * (an ingest batch has committed by the time it reports) leave as one NOTIFY on the instance's
 * channel, after the commit, never inside a write transaction. Other instances replay them to
 * their own followers, who then read from the store after the seq they have (catch-up by seq).
 * After the LISTEN connection was down, {@link catchUp} wakes every local follower once.
 */
export class PostgresEventBus implements EventBus {
  readonly #local = new InProcessEventBus();
  readonly #store: Store;
  readonly #instance = randomBytes(9).toString('base64url');
  readonly #executions = new Map<string, number>();
  readonly #sessions = new Map<string, number>();
  #reports = new Map<string, number>();
  #changed = new Map<string, string>();
  #scheduled = false;
  #notify: Notify = async () => undefined;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Where notifications go (set once the channel is open). */
  sendWith(notify: Notify): void {
    this.#notify = notify;
  }

  reportsStored(executionId: string, lastSeq = -1): void {
    this.#local.reportsStored(executionId);
    this.#reports.set(executionId, Math.max(lastSeq, this.#reports.get(executionId) ?? -1));
    this.#schedule();
  }

  executionChanged(execution: Execution): void {
    this.#local.executionChanged(execution);
    this.#changed.set(execution.id, execution.sessionId);
    this.#schedule();
  }

  subscribeSession(sessionId: string, changed: (e: Execution) => void): () => void {
    return counted(this.#sessions, sessionId, this.#local.subscribeSession(sessionId, changed));
  }

  subscribe(executionId: string, handlers: { reports: () => void; state: (e: Execution) => void }): () => void {
    return counted(this.#executions, executionId, this.#local.subscribe(executionId, handlers));
  }

  /** A notification from the channel: replays another instance's writes to this one's followers. Malformed ones are ignored. */
  async receive(text: string): Promise<void> {
    let payload: Payload;
    try {
      payload = JSON.parse(text) as Payload;
    } catch {
      return;
    }
    if (payload.i === this.#instance) return;
    for (const [id] of payload.r ?? []) if (this.#executions.has(id)) this.#local.reportsStored(id);
    for (const [id, sessionId] of payload.e ?? []) {
      if (!this.#executions.has(id) && !this.#sessions.has(sessionId)) continue;
      const execution = await this.#store.getExecution(id);
      if (execution) this.#local.executionChanged(execution);
    }
  }

  /** Wakes every local follower once (after notifications may have been missed): they re-read the store from their seq. */
  async catchUp(): Promise<void> {
    for (const id of this.#executions.keys()) {
      this.#local.reportsStored(id);
      const execution = await this.#store.getExecution(id);
      if (execution) this.#local.executionChanged(execution);
    }
    for (const sessionId of this.#sessions.keys()) {
      for (const execution of await this.#store.listExecutions(sessionId)) this.#local.executionChanged(execution);
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const reports = this.#reports;
      const changed = this.#changed;
      this.#reports = new Map();
      this.#changed = new Map();
      for (const payload of payloads(this.#instance, [...reports], [...changed])) void this.#notify(payload);
    });
  }
}

/** Splits the entries into payloads below {@link MAX_PAYLOAD_BYTES} (ids are ASCII: characters are bytes). */
export function payloads(instance: string, reports: [string, number][], changed: [string, string][]): string[] {
  const out: string[] = [];
  let current: Payload = { i: instance, r: [], e: [] };
  let size = JSON.stringify(current).length;
  const push = (entry: [string, number] | [string, string], into: 'r' | 'e') => {
    const bytes = JSON.stringify(entry).length + 1;
    if (size + bytes > MAX_PAYLOAD_BYTES) {
      out.push(JSON.stringify(current));
      current = { i: instance, r: [], e: [] };
      size = JSON.stringify(current).length;
    }
    (current[into] as unknown[]).push(entry);
    size += bytes;
  };
  for (const entry of reports) push(entry, 'r');
  for (const entry of changed) push(entry, 'e');
  if (current.r.length > 0 || current.e.length > 0) out.push(JSON.stringify(current));
  return out;
}

/** Counts subscriptions per id in `counts` around `unsubscribe`. */
function counted(counts: Map<string, number>, id: string, unsubscribe: () => void): () => void {
  counts.set(id, (counts.get(id) ?? 0) + 1);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    unsubscribe();
    const left = (counts.get(id) ?? 1) - 1;
    if (left > 0) counts.set(id, left);
    else counts.delete(id);
  };
}
