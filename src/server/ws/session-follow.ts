import type { WebSocket } from 'ws';
import { toExecutionJson } from '../../protocol/json.js';
import type { SessionFollowResume } from '../../protocol/queries.js';
import type { Execution, Session } from '../../protocol/types.js';
import type { ServerContext } from '../context.js';
import { CLOSE, sendFrame } from './frames.js';

/**
 * A reader following one session (docs/api.md "Session follow socket"): an `execution` frame for
 * each of its executions, oldest first, then one whenever an execution is created or changes state.
 * A session never ends, so the socket stays open until the reader closes it (or the server shuts
 * down, 1001): one request per follow however long it lasts, instead of a poll per second.
 * `resume` (a follower that reconnects) narrows the backlog to what it may lack ({@link backlog}).
 */
export function handleSessionFollow(ctx: ServerContext, ws: WebSocket, session: Session, resume: SessionFollowResume = {}): void {
  // events that arrive while the backlog is read wait behind it, so no older state follows a newer one
  let waiting: Execution[] | undefined = [];
  const send = (e: Execution) => void sendFrame(ws, { type: 'execution', execution: toExecutionJson(e) });
  const unsubscribe = ctx.bus.subscribeSession(session.id, (e) => (waiting ? waiting.push(e) : send(e)));
  ws.on('close', unsubscribe);
  ctx.store.listExecutions(session.id).then(
    (executions) => {
      for (const e of [...backlog(executions, resume), ...waiting!]) send(e);
      waiting = undefined;
    },
    (error: unknown) => {
      ctx.log(`exec-track: internal error on a session follow socket: ${error instanceof Error ? error.stack : 'unknown'}`);
      if (ws.readyState === ws.OPEN) ws.close(CLOSE.internal, 'INTERNAL');
    },
  );
}

/**
 * The executions a follower lacks: those after `resume.after` in the session's order, and those it
 * shows as not ended (`resume.open`), whose state may have changed while it was away. Everything
 * when `after` is absent or no longer in the session (deleted by retention).
 */
export function backlog(executions: Execution[], resume: SessionFollowResume): Execution[] {
  const at = resume.after === undefined ? -1 : executions.findIndex((e) => e.id === resume.after);
  if (at < 0) return executions;
  const open = new Set(resume.open);
  return executions.filter((e, i) => i > at || open.has(e.id));
}
