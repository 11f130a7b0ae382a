import { syncSpool, type SyncProgress, type SyncResult } from '../../spool/sync.js';
import { maskUrl, parseServerUrl } from '../../config/server-url.js';
import { countOf } from '../../report/format.js';
import type { CommandIo } from '../io.js';

/** Options of `exec-track sync`. */
export interface SyncOptions {
  json?: boolean;
  /** Upload every spooled execution to this server instead of its own (`--server`). */
  server?: string;
}

/**
 * `exec-track sync`: uploads the executions waiting in the spool (spool/sync.ts) with a progress
 * spinner on a terminal (none when stderr is not a TTY or with --json), then prints what it
 * uploaded, or a JSON summary. Resolves with exit code 1 when any execution could not be uploaded
 * (kept for the next sync) or was refused for good by the server (set aside, reported this once), else 0.
 * @throws ExecTrackError `USAGE` for a `--server` that is not an http(s) URL (before anything is read).
 */
export async function syncCommand(opts: SyncOptions, io: CommandIo): Promise<number> {
  const server = opts.server === undefined ? undefined : parseServerUrl(opts.server);
  const spinner = io.stderr.isTTY && !opts.json ? (await import('ora')).default({ stream: io.stderr }).start('looking for spooled executions') : undefined;
  const onProgress = (p: SyncProgress) => {
    if (!spinner) return;
    const percent = p.totalBytes ? Math.round((100 * p.bytes) / p.totalBytes) : 100;
    spinner.text = `uploading ${p.executionId} (${p.index + 1}/${p.count}): ${countOf(p.lines, 'line')}, ${percent}%`;
  };
  const results = await syncSpool({ server, env: io.env, onProgress });
  spinner?.stop();
  const done = results.filter((r) => r.status === 'finished' || r.status === 'lines');
  const lines = done.reduce((sum, r) => sum + r.lines, 0);
  const exitCode = done.length < results.length ? 1 : 0;
  if (opts.json) {
    io.stdout.write(`${JSON.stringify({ executions: results, uploaded: { executions: done.length, lines } }, null, 2)}\n`);
    return exitCode;
  }
  for (const r of results) (r.error ? io.stderr : io.stdout).write(`${describe(r)}\n`);
  io.stdout.write(
    results.length === 0 ? 'exec-track: nothing to sync\n' : `exec-track: uploaded ${countOf(done.length, 'execution')}, ${countOf(lines, 'line')}\n`,
  );
  return exitCode;
}

function describe(r: SyncResult): string {
  if (r.status === 'failed') return `exec-track: ${r.executionId} stays in the spool: ${r.error!.message}`;
  if (r.status === 'rejected')
    return `exec-track: the server refused ${r.executionId} for good (${r.error!.message.replace(/\.$/, '')}); it was set aside in the spool's rejected/ folder and will not be sent again.`;
  const state = r.status === 'finished' ? 'final state uploaded' : 'the wrapper died: Exec crushed (tracker died) at its last heartbeat';
  return `${r.executionId}  ${countOf(r.lines, 'line')}, ${state}  → ${maskUrl(r.server)}`;
}
