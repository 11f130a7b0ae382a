import { resolveServer } from '../../config/settings.js';
import { ExecTrackError } from '../../errors.js';
import { createMetricParser } from '../../metrics/parse.js';
import { isId } from '../../protocol/ids.js';
import { checkTextLimit } from '../../protocol/limits.js';
import type { MetricsConfig } from '../../protocol/types.js';
import { countOf } from '../../report/format.js';
import type { Sink } from '../../sink/sink.js';
import type { Store } from '../../store/store.js';
import { noticeTo, type CommandIo } from '../io.js';
import type { RunRule } from '../../spool/spool-files.js';

/** The options `run` and `record` share: where the execution goes and how its lines are read. */
export interface TrackingOptions {
  session?: string;
  server?: string;
  quiet?: boolean;
  /** `on` | `off` (default on). */
  metrics?: string;
  metricsPattern?: string;
}

/** An opened sink and what to release once the execution is recorded. */
export interface OpenedSink {
  sink: Sink;
  /** Closes the embedded store, if one was opened. */
  close(): Promise<void>;
  /** The embedded store, when the sink writes there. */
  store?: Store;
}

/**
 * Validates `--metrics`, `--metrics-pattern` and `--session` (the parser the store will use refuses
 * an invalid or non-linear pattern before anything runs).
 * @throws ExecTrackError USAGE (exit 2).
 */
export function trackingMetrics(opts: TrackingOptions): MetricsConfig {
  const mode = opts.metrics ?? 'on';
  if (mode !== 'on' && mode !== 'off') throw new ExecTrackError('USAGE', `--metrics expects on or off, got "${mode}".`);
  const metrics = { enabled: mode === 'on', pattern: opts.metricsPattern ?? null };
  createMetricParser(metrics);
  if (opts.session !== undefined) checkSession(opts.session);
  if (opts.metricsPattern !== undefined) checkTextLimit(opts.metricsPattern, 'metricsPattern', '--metrics-pattern');
  return metrics;
}

/** `--session` is a session id or a title the server would accept; an execution id is a mistake, not a title. */
function checkSession(session: string): void {
  if (session.trim() === '') throw new ExecTrackError('USAGE', '--session expects a session id or a title.');
  if (isId('e', session)) {
    throw new ExecTrackError(
      'USAGE',
      `${session} is an execution id; --session takes a session id (s_…) or a title (\`exec-track report ${session}\` shows which session it is in).`,
    );
  }
  if (!isId('s', session)) checkTextLimit(session, 'sessionTitle', 'The session title given to --session');
}

/**
 * The sink of `run` and `record` (DESIGN §3): a server from `--server`/EXEC_TRACK_SERVER/config →
 * RemoteSink, else LocalSink on the embedded store (lazily imported). Unless `quiet`, one line on
 * `io.stderr` when executions still wait in the spool for `exec-track sync` (issue 3). `notify`: the
 * run's own notification rules, which a server sink registers with the execution (RemoteSinkOptions).
 * @throws ExecTrackError USAGE for a bad server URL, STORE_ERROR when the embedded store cannot be opened.
 */
export async function openSink(opts: TrackingOptions, io: CommandIo, lineQuota?: number, notify: RunRule[] = []): Promise<OpenedSink> {
  const { env } = io;
  const notice = noticeTo(io.stderr);
  const server = resolveServer(opts.server, env);
  if (server && lineQuota !== undefined) {
    throw new ExecTrackError(
      'USAGE',
      `--line-quota sets the embedded store's quota; the server ${server} keeps as many lines as its \`serve --line-quota\` says.`,
    );
  }
  let opened: OpenedSink;
  if (server) {
    const { RemoteSink } = await import('../../sink/remote-sink.js');
    opened = {
      sink: new RemoteSink({ server, env, quiet: opts.quiet ?? false, notify, stderr: (text) => void io.stderr.write(text, () => undefined) }),
      close: async () => undefined,
    };
  } else {
    const [{ openStore }, { LocalSink }, { embeddedDbPath }] = await Promise.all([
      import('../../store/open.js'),
      import('../../sink/local-sink.js'),
      import('../../config/paths.js'),
    ]);
    const path = embeddedDbPath(env);
    const store: Store = await openStore(path, { lineQuota });
    opened = { sink: new LocalSink(store, { env, warn: notice, reservePath: `${path}.reserve-${process.pid}` }), close: () => store.close(), store };
  }
  if (!opts.quiet) await mentionPendingSpool(env, notice);
  return opened;
}

/**
 * What a failure before anything was tracked becomes: a usage error keeps its exit code (rethrown);
 * an unknown session, a store that cannot be opened, or anything else, is the tracker's failure:
 * one notice and 125 (DESIGN §2).
 */
export function trackingFailed(error: unknown, what: string, notice: (message: string) => void): number {
  // a usage error keeps its exit code 2; anything else (an unknown session id, a store or config that
  // cannot be opened or written) is the tracker failing before the child ran: 125 (DESIGN §2)
  if (error instanceof ExecTrackError && error.code === 'USAGE') throw error;
  notice(`could not start tracking, ${what}: ${(error as Error).message}`);
  return 125;
}

async function mentionPendingSpool(env: NodeJS.ProcessEnv, notice: (message: string) => void): Promise<void> {
  const { pendingSpoolCount } = await import('../../spool/spool-files.js');
  const pending = pendingSpoolCount(env);
  if (pending > 0) notice(`${countOf(pending, 'execution')} waiting in the spool; run \`exec-track sync\``);
}
