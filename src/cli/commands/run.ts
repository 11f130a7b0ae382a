import { parseDuration } from '../../config/duration.js';
import { parseLineQuota } from '../../config/line-quota.js';
import { resolveServer } from '../../config/settings.js';
import { ExecTrackError } from '../../errors.js';
import { createMetricParser } from '../../metrics/parse.js';
import { isId } from '../../protocol/ids.js';
import { checkTextLimit } from '../../protocol/limits.js';
import type { MetricsConfig, Outcome } from '../../protocol/types.js';
import { formatDuration } from '../../report/format.js';
import type { Sink } from '../../runner/sink.js';
import type { Store } from '../../store/store.js';
import { countOf } from '../../report/format.js';

/** Options of `exec-track run` as commander parses them (main.ts). */
export interface RunCommandOptions {
  session?: string;
  name?: string;
  server?: string;
  quiet?: boolean;
  /** `on` | `off` (default on). */
  metrics?: string;
  metricsPattern?: string;
  /** A duration such as `10s` (default 10s). */
  killAfter?: string;
  foreground?: boolean;
  /** `--line-quota <n|all>`: lines stored per execution in the embedded store. */
  lineQuota?: string;
}

/** Validated run options. */
interface ValidOptions {
  metrics: MetricsConfig;
  killAfterMs: number;
  /** Stored lines per execution (embedded store), undefined for the default. */
  lineQuota?: number;
}

/**
 * `exec-track run [options] -- <cmd> [args...]` (DESIGN §4): validates the options, picks the sink
 * (a server from `--server`/EXEC_TRACK_SERVER/config → RemoteSink, else LocalSink on the embedded
 * store), runs the command and resolves with the exit code to exit with. Prints the start and summary
 * lines on stderr unless `--quiet`. A failure before the command ran gives 125 (DESIGN §2), an unknown
 * `--session` id included.
 * @throws ExecTrackError USAGE for invalid options (exit 2): a `--name`, session title or
 * `--metrics-pattern` over the server's limit (TEXT_LIMITS, the same in both modes), an execution id
 * given to `--session`.
 */
export async function runCommand(argv: string[], opts: RunCommandOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const valid = validate(argv, opts);
  // a reader that went away (`| head`) must never crash the wrapper; the runner handles EPIPE itself
  process.stdout.on('error', ignore);
  process.stderr.on('error', ignore);
  let store: Store | undefined;
  try {
    const { runExecution } = await import('../../runner/run.js');
    const sink = await openSink(opts, valid.lineQuota, env, (opened) => (store = opened));
    if (!opts.quiet) await mentionPendingSpool(env);
    return await runExecution(
      argv,
      {
        session: opts.session,
        name: opts.name ?? null,
        metrics: valid.metrics,
        killAfterMs: valid.killAfterMs,
        foreground: opts.foreground ?? false,
        env,
        notice,
        onStart: ({ executionId, sessionId }) => {
          if (!opts.quiet) notice(`execution ${executionId} in session ${sessionId}`);
        },
        onEnd: (outcome, exitCode, durationMs) => summarize(outcome, exitCode, durationMs, opts.quiet ?? false),
      },
      sink,
    );
  } catch (error) {
    // nothing ran: a usage error keeps its exit code 2; anything else (an unknown session id, a store
    // that cannot be opened) is the tracker failing before the child ran: 125 (DESIGN §2, docs/errors.md)
    if (error instanceof ExecTrackError && error.code === 'USAGE') throw error;
    notice(`could not start tracking, nothing ran: ${(error as Error).message}`);
    return 125;
  } finally {
    await store?.close();
  }
}

function validate(argv: string[], opts: RunCommandOptions): ValidOptions {
  if (!argv[0]) throw new ExecTrackError('USAGE', 'The command to run is empty; give one after `--`, e.g. `exec-track run -- python3 train.py`.');
  const mode = opts.metrics ?? 'on';
  if (mode !== 'on' && mode !== 'off') throw new ExecTrackError('USAGE', `--metrics expects on or off, got "${mode}".`);
  const metrics = { enabled: mode === 'on', pattern: opts.metricsPattern ?? null };
  // the parser the store will use refuses an invalid or non-linear pattern (USAGE) before anything runs
  createMetricParser(metrics);
  if (opts.session !== undefined) checkSession(opts.session);
  if (opts.name !== undefined) checkTextLimit(opts.name, 'executionName', '--name', true);
  if (opts.metricsPattern !== undefined) checkTextLimit(opts.metricsPattern, 'metricsPattern', '--metrics-pattern');
  const lineQuota = opts.lineQuota === undefined ? undefined : parseLineQuota(opts.lineQuota, '--line-quota');
  return { metrics, killAfterMs: parseDuration(opts.killAfter ?? '10s', '--kill-after'), lineQuota };
}

/** `--session` is a session id or a title the server would accept; an execution id is a mistake, not a title. */
function checkSession(session: string): void {
  if (session.trim() === '') throw new ExecTrackError('USAGE', '--session expects a session id or a title.');
  if (isId('e', session)) {
    throw new ExecTrackError('USAGE', `${session} is an execution id; --session takes a session id (s_…) or a title (\`exec-track report ${session}\` shows which session it is in).`);
  }
  if (!isId('s', session)) checkTextLimit(session, 'sessionTitle', 'The session title given to --session');
}

/** RemoteSink when a server is configured, else LocalSink on the embedded store (lazily imported). */
async function openSink(opts: RunCommandOptions, lineQuota: number | undefined, env: NodeJS.ProcessEnv, onStore: (store: Store) => void): Promise<Sink> {
  const server = resolveServer(opts.server, env);
  if (server && lineQuota !== undefined) {
    throw new ExecTrackError('USAGE', `--line-quota sets the embedded store's quota; the server ${server} keeps as many lines as its \`serve --line-quota\` says.`);
  }
  if (server) {
    const { RemoteSink } = await import('../../client/remote-sink.js');
    return new RemoteSink({ server, env, quiet: opts.quiet ?? false });
  }
  const [{ openStore }, { LocalSink }, { embeddedDbPath }] = await Promise.all([
    import('../../store/open.js'),
    import('../../client/local-sink.js'),
    import('../../config/paths.js'),
  ]);
  const store = await openStore(embeddedDbPath(env), { lineQuota });
  onStore(store);
  return new LocalSink(store, { env, warn: notice });
}

/** In either mode, one line when executions still wait in the spool for `exec-track sync` (issue 3). */
async function mentionPendingSpool(env: NodeJS.ProcessEnv): Promise<void> {
  const { pendingSpoolCount } = await import('../../client/spool-files.js');
  const pending = pendingSpoolCount(env);
  if (pending > 0) notice(`${countOf(pending, 'execution')} waiting in the spool; run \`exec-track sync\``);
}

/** `exec-track: <state> after <duration> (exit <code>)`; an Exec crushed run adds its reason. */
function summarize(outcome: Outcome, exitCode: number, durationMs: number, quiet: boolean): void {
  const reason = outcome.state === 'Exec crushed' && outcome.reason ? outcome.reason : null;
  if (!quiet) notice(`${outcome.state} after ${formatDuration(durationMs)} (exit ${exitCode})${reason ? `: ${reason}` : ''}`);
  else if (reason) notice(reason);
}

function ignore(): void {}

/** One `exec-track: ` line on stderr; never throws (stderr may be a closed pipe). */
function notice(message: string): void {
  if (process.stderr.writable) process.stderr.write(`exec-track: ${message}\n`, () => undefined);
}
