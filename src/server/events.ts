import { EventEmitter } from 'node:events';
import type { Execution } from '../protocol/types.js';

/**
 * In-process bus from writers (REST, stream sockets, the ghost sweeper) to follow sockets.
 * Payloads are deliberately small: followers read lines from the store, so what they send is
 * exactly what was stored (quota, redaction) and a slow follower never buffers in memory.
 */
export class EventBus {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  /** New lines were stored for `executionId`. */
  reportsStored(executionId: string): void {
    this.#emitter.emit(`reports:${executionId}`);
  }

  /** An execution was created, or its state (or any recorded field) changed. */
  executionChanged(execution: Execution): void {
    this.#emitter.emit(`state:${execution.id}`, execution);
    this.#emitter.emit(`session:${execution.sessionId}`, execution);
  }

  /** Subscribes to every execution of one session (created or changed); returns the unsubscribe function. */
  subscribeSession(sessionId: string, changed: (e: Execution) => void): () => void {
    this.#emitter.on(`session:${sessionId}`, changed);
    return () => this.#emitter.off(`session:${sessionId}`, changed);
  }

  /** Subscribes to one execution; returns the unsubscribe function. */
  subscribe(executionId: string, handlers: { reports: () => void; state: (e: Execution) => void }): () => void {
    this.#emitter.on(`reports:${executionId}`, handlers.reports);
    this.#emitter.on(`state:${executionId}`, handlers.state);
    return () => {
      this.#emitter.off(`reports:${executionId}`, handlers.reports);
      this.#emitter.off(`state:${executionId}`, handlers.state);
    };
  }
}
