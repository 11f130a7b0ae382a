import type { Execution, Session } from '../protocol/types.js';

/**
 * The time retention counts from (ms, the store's clock): the session's creation or the last time
 * the store received an execution into it, whichever is later. Client capture times (`startedAt`)
 * play no part, so a wrapper's slow or fast clock cannot expire a session early or keep it for ever
 * (issue 9 point 4). The SQLite purge applies the same rule in SQL (src/store/sqlite/retention.ts)
 * and never deletes a session with a `Running` execution.
 */
export function retentionAnchor(session: Session, executions: Execution[]): number {
  return Math.max(session.createdAt, ...executions.map((e) => e.receivedAt));
}
