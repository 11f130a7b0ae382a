import type { Execution } from '../protocol/types.js';
import { LOST_CONTACT } from './reasons.js';

/** The fields of an execution that a sign of life changes. */
export type ContactFields = Pick<Execution, 'state' | 'reason' | 'endedAt' | 'lastSeenAt'>;

/**
 * The revival rule (DESIGN §2), the same for every engine: after a sign of life at `at` (ms since
 * epoch UTC; a heartbeat, a ping) an `Exec crushed` execution whose reason is `lost contact` is
 * `Running` again, with no end and no reason; every other state stays, since only the silence was
 * wrong about it. `lastSeenAt` never goes back.
 */
export function afterContact(e: ContactFields, at: number): ContactFields {
  const lastSeenAt = Math.max(e.lastSeenAt ?? 0, at);
  if (e.state === 'Exec crushed' && e.reason === LOST_CONTACT) return { state: 'Running', reason: null, endedAt: null, lastSeenAt };
  return { ...e, lastSeenAt };
}
