import { EventEmitter } from 'node:events';
import type { Execution } from '../protocol/types.js';

/**
 * The bus from writers (REST, stream sockets, the ghost sweeper) to follow sockets. Payloads are
 * deliberately small: followers read lines from the store, so what they send is exactly what was
 * stored (quota, redaction) and a slow follower never buffers in memory. Routes and sockets depend
 * on this interface only, so a bus shared by several server instances can replace
 * {@link InProcessEventBus}.
 */
export interface EventBus {
  /** New lines were stored for `executionId`, up to `lastSeq` (highest contiguous seq; a shared bus sends it to other instances). */
  reportsStored(executionId: string, lastSeq?: number): void;
  /** An execution was created, or its state (or any recorded field) changed. */
  executionChanged(execution: Execution): void;
  /** Subscribes to every execution of one session (created or changed); returns the unsubscribe function. */
  subscribeSession(sessionId: string, changed: (e: Execution) => void): () => void;
  /** Subscribes to one execution; returns the unsubscribe function. */
  subscribe(executionId: string, handlers: { reports: () => void; state: (e: Execution) => void }): () => void;
}

/** The {@link EventBus} of one server process (an EventEmitter): followers see only this instance's writes. */
export class InProcessEventBus implements EventBus {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  reportsStored(executionId: string): void {
    this.#emitter.emit(`reports:${executionId}`);
  }

  executionChanged(execution: Execution): void {
    this.#emitter.emit(`state:${execution.id}`, execution);
    this.#emitter.emit(`session:${execution.sessionId}`, execution);
  }

  subscribeSession(sessionId: string, changed: (e: Execution) => void): () => void {
    this.#emitter.on(`session:${sessionId}`, changed);
    return () => this.#emitter.off(`session:${sessionId}`, changed);
  }

  subscribe(executionId: string, handlers: { reports: () => void; state: (e: Execution) => void }): () => void {
    this.#emitter.on(`reports:${executionId}`, handlers.reports);
    this.#emitter.on(`state:${executionId}`, handlers.state);
    return () => {
      this.#emitter.off(`reports:${executionId}`, handlers.reports);
      this.#emitter.off(`state:${executionId}`, handlers.state);
    };
  }
}
