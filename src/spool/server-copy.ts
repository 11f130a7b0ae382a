import { isRefusedForGood } from '../client/refusal.js';
import { isExecTrackError } from '../errors.js';
import { newId } from '../protocol/ids.js';
import type { ApiClient } from '../client/api.js';
import { DEFAULTS } from '../defaults.js';
import type { SpoolMeta } from './spool-files.js';

/**
 * A spooled execution as the upload policy sees it: its meta and its `acked` record. `run` holds one
 * as a SpoolWriter, `sync` as a {@link SpoolEntryState} (spool-entry-state.ts); both go through this
 * module, so creating, recreating and forgetting the server's copy follow one rule.
 */
export interface SpooledExecution {
  readonly meta: Readonly<SpoolMeta>;
  updateMeta(patch: Partial<SpoolMeta>): void;
  setAcked(seq: number): void;
}

/**
 * Creates a spooled execution's session (unless the meta says it exists), the execution and its own
 * notification rules (`run --notify`) on the server, recording each step in the meta. A session id the server says is another user's (403/409
 * even with a claim key fresh from this home's token: a home mixed by parallel first runs of an
 * exec-track before issue 9) is replaced, in the config and the meta, by a new session of the same
 * title, so the home heals instead of failing for ever.
 * @throws ExecTrackError from the server; FORBIDDEN/CONFLICT when the session was named by id only.
 */
export async function createOnServer(api: ApiClient, spooled: SpooledExecution): Promise<void> {
  try {
    await createBoth(api, spooled);
  } catch (error) {
    const { session, executionCreated } = spooled.meta;
    if (!isExecTrackError(error) || (error.code !== 'FORBIDDEN' && error.code !== 'CONFLICT') || session.title === null || executionCreated) throw error;
    const id = await api.credentials.replaceSession(session.id, session.title, newId('s'));
    spooled.updateMeta({ session: { id, title: session.title }, sessionCreated: false });
    await createBoth(api, spooled);
  }
}

async function createBoth(api: ApiClient, spooled: SpooledExecution): Promise<void> {
  const { session, execution } = spooled.meta;
  if (!spooled.meta.sessionCreated) {
    await api.createSession({ id: session.id, title: session.title ?? DEFAULTS.sessionTitle });
    spooled.updateMeta({ sessionCreated: true });
  }
  if (!spooled.meta.executionCreated) {
    await api.createExecution(session.id, execution);
    spooled.updateMeta({ executionCreated: true });
  }
  await registerRules(api, spooled);
}

/** The run's own notification rules not yet on the server, one at a time so a retry never adds one twice. */
async function registerRules(api: ApiClient, spooled: SpooledExecution): Promise<void> {
  const rules = spooled.meta.notify ?? [];
  if ((spooled.meta.notifyRegistered ?? 0) >= rules.length) return;
  const { NotifyApi } = await import('../client/notify-api.js');
  const notifyApi = new NotifyApi(api);
  for (let i = spooled.meta.notifyRegistered ?? 0; i < rules.length; i++) {
    try {
      await notifyApi.add(spooled.meta.session.id, { ...rules[i]!, executionId: spooled.meta.execution.id });
    } catch (error) {
      // a rule this server will never take (its own URL policy) must not cost the run its tracking: it is passed over
      if (!isRefusedForGood(error)) throw error;
    }
    spooled.updateMeta({ notifyRegistered: i + 1 });
  }
}

/**
 * The server holds nothing of this execution any more (moved to another server, or a 404 for one it
 * had created: a new database, retention): its execution is to be created again and every line sent,
 * and its session too when it was named by title. A session named only by id is never created from
 * the spool (its title is unknown, and an id typed offline may be a typo): a server without it
 * refuses the execution for good and the entry is set aside.
 */
export function forgetServerCopy(spooled: SpooledExecution): void {
  spooled.updateMeta({ executionCreated: false, sessionCreated: spooled.meta.session.title === null, notifyRegistered: 0 });
  spooled.setAcked(-1);
}

/**
 * Where `error` says the server lost an execution it had created (NOT_FOUND once the meta records
 * it created), forgets the server's copy ({@link forgetServerCopy}) and returns true: the caller
 * uploads again from the start. False for any other error, which the caller handles. A 404 before the
 * execution exists there is the server refusing its session (an unknown id): for good, not this.
 */
export function recoverLostExecution(error: unknown, spooled: SpooledExecution): boolean {
  if (!isExecTrackError(error) || error.code !== 'NOT_FOUND' || !spooled.meta.executionCreated) return false;
  forgetServerCopy(spooled);
  return true;
}
