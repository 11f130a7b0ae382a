import { closeSync, existsSync, fstatSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tryLock } from '../config/home-lock.js';
import { ApiClient } from '../client/api.js';
import { isRefusedForGood } from '../client/refusal.js';
import { setAside } from './set-aside.js';
import { createOnServer, forgetServerCopy, recoverLostExecution } from './server-copy.js';
import { SpoolEntryState } from './spool-entry-state.js';
import { LINES_FILE, META_FILE, pendingSpool, readAcked, readAlive, readMeta, readRawLines } from './spool-files.js';
import { TRACKER_DIED } from '../store/reasons.js';
import { ExecTrackError, isExecTrackError } from '../errors.js';
import type { ReportLine } from '../protocol/types.js';

/** Lines per POST /reports (the API accepts up to 10 000). */
const SYNC_BATCH_LINES = 2000;
/** The lock file a sync holds inside a spool entry while it uploads it. */
const SYNC_LOCK = 'sync.lock';

/** What `sync` did with one spooled execution. */
export interface SyncResult {
  executionId: string;
  server: string;
  /** Lines sent that the server had not confirmed before. */
  lines: number;
  /**
   * `finished`: lines and final state uploaded; `lines`: the wrapper died before the end, lines
   * uploaded and the execution recorded as `Exec crushed` (`tracker died`), ended at the wrapper's
   * last sign of life in the spool (last line or heartbeat); `failed`: kept in the spool
   * for the next `sync`; `rejected`: the server refused it for good (a 4xx), set aside in
   * `spool/rejected/` and never sent again.
   */
  status: 'finished' | 'lines' | 'failed' | 'rejected';
  error?: { code: string; message: string };
}

/** Progress of one upload: `bytes` of the spool file read so far out of `totalBytes`. */
export interface SyncProgress {
  executionId: string;
  index: number;
  count: number;
  lines: number;
  bytes: number;
  totalBytes: number;
}

/**
 * Uploads every spooled execution no live wrapper owns (docs/reliability.md): creates its session
 * and execution if they were never created, sends the lines the server has not stored (POST
 * /reports, idempotent by seq, resuming from the server's `lastSeq`), then the final state when the
 * wrapper recorded one; a fully uploaded entry leaves the spool. Failures are per execution and
 * never stop the others; an execution the server refuses for good (client/refusal.ts) is set aside,
 * not retried by later syncs. Running it twice uploads nothing the second time. With `server` (a parsed
 * server URL, `sync --server`), every entry goes there instead of the server it was started with.
 */
export async function syncSpool(options: SyncOptions = {}): Promise<SyncResult[]> {
  const entries = pendingSpool(options.env);
  const results: SyncResult[] = [];
  for (const [index, listed] of entries.entries()) {
    // another sync of this home is uploading it, or already did (it left the spool): its result is that sync's
    const release = claim(listed.dir);
    if (!release) continue;
    try {
      // what the listing read may be out of date: another sync may have created it on the server meanwhile
      const entry = new SpoolEntryState(listed.dir, readMeta(listed.dir));
      try {
        results.push(
          await syncOne(entry, options, (lines, bytes, totalBytes) =>
            options.onProgress?.({ executionId: entry.meta.execution.id, index, count: entries.length, lines, bytes, totalBytes }),
          ),
        );
      } finally {
        entry.close();
      }
    } finally {
      release();
    }
  }
  return results;
}

/** Options of {@link syncSpool}. */
export interface SyncOptions {
  env?: NodeJS.ProcessEnv;
  server?: string;
  onProgress?: (p: SyncProgress) => void;
}

/** This sync's claim of one spool entry (a lock file inside it); undefined while another process holds it, or once it left the spool. */
function claim(dir: string): (() => void) | undefined {
  let release: (() => void) | undefined;
  try {
    release = tryLock(join(dir, SYNC_LOCK));
  } catch {
    return undefined;
  }
  if (release && !existsSync(join(dir, META_FILE))) {
    release();
    return undefined;
  }
  return release;
}

/** Uploads one claimed entry; a failure is its result, never thrown. */
async function syncOne(entry: SpoolEntryState, options: SyncOptions, report: (lines: number, bytes: number, total: number) => void): Promise<SyncResult> {
  if (options.server !== undefined && options.server !== entry.meta.server) {
    // re-targeted at another server (the one it was started with is gone or was wrong): a later sync goes on with it
    entry.updateMeta({ server: options.server });
    forgetServerCopy(entry);
  }
  const base = { executionId: entry.meta.execution.id, server: entry.meta.server };
  try {
    return { ...base, ...(await syncEntry(entry, options.env, report)) };
  } catch (error) {
    const known = isExecTrackError(error) ? error : new ExecTrackError('INTERNAL', String(error));
    const rejected = isRefusedForGood(known);
    if (rejected) setAside(entry.dir, known);
    return { ...base, lines: 0, status: rejected ? 'rejected' : 'failed', error: { code: known.code, message: known.message } };
  }
}

async function syncEntry(
  entry: SpoolEntryState,
  env: NodeJS.ProcessEnv | undefined,
  report: (lines: number, bytes: number, total: number) => void,
): Promise<Pick<SyncResult, 'lines' | 'status'>> {
  const api = new ApiClient(entry.meta.server, { env });
  let uploaded: Uploaded;
  try {
    uploaded = await createAndUpload(api, entry, report);
  } catch (error) {
    // the server lost the execution (a new database or retention): create it again, send everything
    if (!recoverLostExecution(error, entry)) throw error;
    uploaded = await createAndUpload(api, entry, report);
  }
  const { meta, dir } = entry;
  // a wrapper that died before knowing the outcome (sync only takes spools of dead wrappers) ended at
  // its last sign of life in the spool, not now: Exec crushed, tracker died, as the embedded store says
  await api.finish(
    meta.execution.id,
    meta.outcome ?? {
      state: 'Exec crushed',
      exitCode: null,
      signal: null,
      reason: TRACKER_DIED,
      endedAt: Math.max(meta.execution.startedAt, uploaded.lastTs, readAlive(dir)),
    },
  );
  rmSync(dir, { recursive: true, force: true });
  return { lines: uploaded.sent, status: meta.outcome ? 'finished' : 'lines' };
}

/** Creates the session and execution where the meta says they were never created (server-copy.ts), then sends the lines (see {@link uploadLines}). */
async function createAndUpload(api: ApiClient, entry: SpoolEntryState, report: (lines: number, bytes: number, total: number) => void): Promise<Uploaded> {
  await createOnServer(api, entry);
  return uploadLines(api, entry, report);
}

/** What {@link uploadLines} did: lines sent, and the capture time of the last spooled line (ms since epoch UTC, 0 when none). */
interface Uploaded {
  sent: number;
  lastTs: number;
}

/** Sends the spooled lines after the acked seq. */
async function uploadLines(api: ApiClient, entry: SpoolEntryState, report: (lines: number, bytes: number, total: number) => void): Promise<Uploaded> {
  const { dir } = entry;
  const executionId = entry.meta.execution.id;
  const path = join(dir, LINES_FILE);
  if (!existsSync(path)) return { sent: 0, lastTs: 0 };
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    let acked = readAcked(dir);
    let offset = 0;
    let sent = 0;
    let rescans = 0;
    let lastTs = 0;
    for (;;) {
      const chunk = readRawLines(fd, offset, SYNC_BATCH_LINES);
      if (chunk.lines.length === 0) return { sent, lastTs };
      offset = chunk.end;
      const parsed = chunk.lines.map((raw) => JSON.parse(raw) as ReportLine);
      lastTs = Math.max(lastTs, parsed.at(-1)!.ts);
      const batch = parsed.filter((line) => line.seq > acked);
      if (batch.length === 0) continue;
      const lastSeq = await api.appendReports(executionId, batch);
      sent += batch.length;
      const batchEnd = batch.at(-1)!.seq;
      if (lastSeq < batchEnd) {
        // the server holds a gap before this batch (it lost lines it had acked): send again from it
        if (++rescans > 2)
          throw new ExecTrackError(
            'SERVER_ERROR',
            `The server keeps missing lines of ${executionId} after seq ${lastSeq}; the spool is kept, try \`exec-track sync\` again.`,
          );
        offset = 0;
      }
      acked = lastSeq;
      entry.setAcked(acked);
      report(sent, offset, size);
    }
  } finally {
    closeSync(fd);
  }
}
