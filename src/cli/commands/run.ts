import { parseDuration } from '../../config/duration.js';
import { resolveServer } from '../../config/settings.js';
import { ExecTrackError } from '../../errors.js';
import { createMetricParser } from '../../metrics/parse.js';
import type { MetricsConfig, Outcome } from '../../protocol/types.js';
import { formatDuration, formatUsage } from '../../report/format.js';
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
  /** Resource sampling interval such as `10s`, or `off` (default 10s). */
  sample?: string;
}

/** Validated run options. */
interface ValidOptions {
  metrics: MetricsConfig;
  killAfterMs: number;
  /** null: `--sample off`. */
  sampleIntervalMs: number | null;
}

/** Shortest `--sample` interval (ms): each sample reads /proc for the whole tree. */
const MIN_SAMPLE_MS = 100;

/**
 * `exec-track run [options] -- <cmd> [args...]` (DESIGN §4): validates the options, picks the sink
 * (a server from `--server`/EXEC_TRACK_SERVER/config → RemoteSink, else LocalSink on the embedded
 * store), runs the command and resolves with the exit code to exit with. Prints the start and summary
 * lines on stderr unless `--quiet`. A failure before the command ran gives 125 (DESIGN §2).
 * @throws ExecTrackError USAGE for invalid options (exit 2).
 */
export async function runCommand(argv: string[], opts: RunCommandOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const valid = validate(argv, opts);
  // a reader that went away (`| head`) must never crash the wrapper; the runner handles EPIPE itself
  process.stdout.on('error', ignore);
  process.stderr.on('error', ignore);
  let store: Store | undefined;
  try {
    const { readContext } = await import('../../runner/context.js');
    // git runs while the store opens
    const context = readContext(process.cwd(), env);
    const { runExecution } = await import('../../runner/run.js');
    const sink = await openSink(opts, env, (opened) => (store = opened));
    if (!opts.quiet) await mentionPendingSpool(env);
    return await runExecution(
      argv,
      {
        session: opts.session,
        name: opts.name ?? null,
        metrics: valid.metrics,
        killAfterMs: valid.killAfterMs,
        foreground: opts.foreground ?? false,
        sampleIntervalMs: valid.sampleIntervalMs,
        context: await context,
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
    // nothing ran: a usage error or an unknown session keeps its exit code; a store that cannot be
    // opened, or anything else, is the tracker's failure: 125 (DESIGN §2)
    if (error instanceof ExecTrackError && error.code !== 'STORE_ERROR') throw error;
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
  if (opts.session !== undefined && opts.session.trim() === '') throw new ExecTrackError('USAGE', '--session expects a session id or a title.');
  return { metrics, killAfterMs: parseDuration(opts.killAfter ?? '10s', '--kill-after'), sampleIntervalMs: sampleInterval(opts.sample ?? '10s') };
}

function sampleInterval(value: string): number | null {
  if (value.trim() === 'off') return null;
  const ms = parseDuration(value, '--sample');
  if (ms < MIN_SAMPLE_MS) throw new ExecTrackError('USAGE', `--sample expects off or a duration of at least ${MIN_SAMPLE_MS}ms, got "${value}".`);
  return ms;
}

/** RemoteSink when a server is configured, else LocalSink on the embedded store (lazily imported). */
async function openSink(opts: RunCommandOptions, env: NodeJS.ProcessEnv, onStore: (store: Store) => void): Promise<Sink> {
  const server = resolveServer(opts.server, env);
  if (server) {
    const { RemoteSink } = await import('../../client/remote-sink.js');
    return new RemoteSink({ server, env, quiet: opts.quiet ?? false });
  }
  const [{ openStore }, { LocalSink }, { embeddedDbPath }] = await Promise.all([
    import('../../store/open.js'),
    import('../../client/local-sink.js'),
    import('../../config/paths.js'),
  ]);
  const store = await openStore(embeddedDbPath(env));
  onStore(store);
  return new LocalSink(store, { env, warn: notice });
}

/** In either mode, one line when executions still wait in the spool for `exec-track sync` (issue 3). */
async function mentionPendingSpool(env: NodeJS.ProcessEnv): Promise<void> {
  const { pendingSpoolCount } = await import('../../client/spool-files.js');
  const pending = pendingSpoolCount(env);
  if (pending > 0) notice(`${countOf(pending, 'execution')} waiting in the spool; run \`exec-track sync\``);
}

/**
 * `exec-track: <state> after <duration> (exit <code>) · peak <rss> · CPU <time>` (the usage when
 * sampled); an Exec crushed run adds its reason.
 */
function summarize(outcome: Outcome, exitCode: number, durationMs: number, quiet: boolean): void {
  const reason = outcome.state === 'Exec crushed' && outcome.reason ? outcome.reason : null;
  const usage = outcome.usage ? ` · ${formatUsage(outcome.usage)}` : '';
  if (!quiet) notice(`${outcome.state} after ${formatDuration(durationMs)} (exit ${exitCode})${usage}${reason ? `: ${reason}` : ''}`);
  else if (reason) notice(reason);
}

function ignore(): void {}

/** One `exec-track: ` line on stderr; never throws (stderr may be a closed pipe). */
function notice(message: string): void {
  if (process.stderr.writable) process.stderr.write(`exec-track: ${message}\n`, () => undefined);
}
