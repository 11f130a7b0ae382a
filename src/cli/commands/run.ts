import { parseDuration } from '../../config/duration.js';
import { parseLineQuota } from '../../config/line-quota.js';
import { resolveServer } from '../../config/settings.js';
import { pageUrl } from '../../web/links.js';
import { ExecTrackError } from '../../errors.js';
import { checkTextLimit } from '../../protocol/limits.js';
import type { MetricsConfig, Outcome } from '../../protocol/types.js';
import type { PtyModule } from '../../runner/pty.js';
import type { OutputPipes } from '../../runner/pipes.js';
import { formatDuration, formatUsage } from '../../report/format.js';
import { runNotifications, validateRunNotify, type RunNotifyFlags } from './run-notify.js';
import { openSink, trackingFailed, trackingMetrics, type OpenedSink, type TrackingOptions } from './tracking.js';
import { DEFAULTS, durationText } from '../../defaults.js';
import { noticeTo, type CommandIo } from '../io.js';

/** Options of `exec-track run` as commander parses them (main.ts). */
export interface RunCommandOptions extends TrackingOptions, RunNotifyFlags {
  name?: string;
  /** A duration such as `10s` (default DEFAULTS.killAfterMs). */
  killAfter?: string;
  foreground?: boolean;
  /** `--pty`: run the command in a pseudo-terminal. */
  pty?: boolean;
  /** `--line-quota <n|all>`: lines stored per execution in the embedded store. */
  lineQuota?: string;
  /** Resource sampling interval such as `10s`, or `off` (default DEFAULTS.sampleMs). */
  sample?: string;
}

/** Validated run options. */
interface ValidOptions {
  metrics: MetricsConfig;
  killAfterMs: number;
  /** Stored lines per execution (embedded store), undefined for the default. */
  lineQuota?: number;
  /** null: `--sample off`. */
  sampleIntervalMs: number | null;
}

/** Shortest `--sample` interval (ms): each sample reads /proc for the whole tree. */
const MIN_SAMPLE_MS = 100;

/**
 * `exec-track run [options] -- <cmd> [args...]` (DESIGN §4): validates the options, picks the sink
 * (a server from `--server`/EXEC_TRACK_SERVER/config → RemoteSink, else LocalSink on the embedded
 * store), runs the command and resolves with the exit code to exit with. Prints the start and summary
 * lines on `io.stderr` unless `--quiet` (the command's own output passes through the process's). A failure before the command ran gives 125 (DESIGN §2), an unknown
 * `--session` id included.
 * @throws ExecTrackError USAGE for invalid options (exit 2): a `--name`, session title or
 * `--metrics-pattern` over the server's limit (TEXT_LIMITS, the same in both modes), an execution id
 * given to `--session`.
 */
export async function runCommand(argv: string[], opts: RunCommandOptions, io: CommandIo): Promise<number> {
  const { env } = io;
  const notice = noticeTo(io.stderr);
  const valid = validate(argv, opts);
  const notify = await validateRunNotify(opts);
  // a reader that went away (`| head`) must never crash the wrapper; the runner handles EPIPE itself
  io.stdout.on('error', ignore);
  io.stderr.on('error', ignore);
  let opened: OpenedSink | undefined;
  let unclaimedPipes: Promise<OutputPipes | null> | undefined;
  try {
    const { readContext } = await import('../../runner/context.js');
    // git and mkfifo run while the store opens
    const context = readContext(process.cwd(), env);
    unclaimedPipes = opts.pty ? undefined : (await import('../../runner/pipes.js')).createOutputPipes(2);
    const pty = opts.pty ? await requirePty() : undefined;
    const { runExecution } = await import('../../runner/run.js');
    opened = await openSink(opts, io, valid.lineQuota, notify);
    const notifications = runNotifications(notify ?? [], opened.store, env, notice);
    const outputPipes = unclaimedPipes;
    // runExecution owns them from here on
    unclaimedPipes = undefined;
    const exitCode = await runExecution(
      argv,
      {
        session: opts.session,
        name: opts.name ?? null,
        metrics: valid.metrics,
        killAfterMs: valid.killAfterMs,
        foreground: opts.foreground ?? false,
        pty,
        outputPipes,
        sampleIntervalMs: valid.sampleIntervalMs,
        context: await context,
        env,
        notice,
        // a run's own rules are registered as soon as it has ids: a command that cannot start is still reported (`lost`)
        onOpen: (ids) => notifications.started(ids),
        onStart: ({ executionId, sessionId }) => {
          if (opts.quiet) return;
          notice(`execution ${executionId} in session ${sessionId}`);
          const server = resolveServer(opts.server, env);
          if (server) notice(`watch it at ${pageUrl(server, executionId)}`);
        },
        onEnd: (outcome, exitCode, durationMs) => summarize(outcome, exitCode, durationMs, opts.quiet ?? false, notice),
      },
      opened.sink,
    );
    await notifications.finish();
    return exitCode;
  } catch (error) {
    if (unclaimedPipes) (await import('../../runner/pipes.js')).closeOutputPipes(await unclaimedPipes);
    return trackingFailed(error, 'nothing ran', notice);
  } finally {
    await opened?.close();
  }
}

/**
 * The pseudo-terminal package for `--pty`, loaded only then.
 * @throws ExecTrackError USAGE when it is not installed (it is an optional dependency).
 */
async function requirePty(): Promise<PtyModule> {
  const pty = await (await import('../../runner/pty.js')).loadPty();
  if (!pty)
    throw new ExecTrackError(
      'USAGE',
      '--pty needs the optional package @lydell/node-pty, which is not installed; reinstall exec-track with optional dependencies or run without --pty.',
    );
  return pty;
}

function validate(argv: string[], opts: RunCommandOptions): ValidOptions {
  if (!argv[0]) throw new ExecTrackError('USAGE', 'The command to run is empty; give one after `--`, e.g. `exec-track run -- python3 train.py`.');
  const metrics = trackingMetrics(opts);
  if (opts.name !== undefined) checkTextLimit(opts.name, 'executionName', '--name', true);
  const lineQuota = opts.lineQuota === undefined ? undefined : parseLineQuota(opts.lineQuota, '--line-quota');
  return {
    metrics,
    killAfterMs: parseDuration(opts.killAfter ?? durationText(DEFAULTS.killAfterMs), '--kill-after'),
    lineQuota,
    sampleIntervalMs: sampleInterval(opts.sample ?? durationText(DEFAULTS.sampleMs)),
  };
}

function sampleInterval(value: string): number | null {
  if (value.trim() === 'off') return null;
  const ms = parseDuration(value, '--sample');
  if (ms < MIN_SAMPLE_MS) throw new ExecTrackError('USAGE', `--sample expects off or a duration of at least ${MIN_SAMPLE_MS}ms, got "${value}".`);
  return ms;
}

/**
 * `exec-track: <state> after <duration> (exit <code>) · peak <rss> · CPU <time>` (the usage when
 * sampled); an Exec crushed run adds its reason.
 */
function summarize(outcome: Outcome, exitCode: number, durationMs: number, quiet: boolean, notice: (message: string) => void): void {
  const reason = outcome.state === 'Exec crushed' && outcome.reason ? outcome.reason : null;
  const usage = outcome.usage ? ` · ${formatUsage(outcome.usage)}` : '';
  if (!quiet) notice(`${outcome.state} after ${formatDuration(durationMs)} (exit ${exitCode})${usage}${reason ? `: ${reason}` : ''}`);
  else if (reason) notice(reason);
}

function ignore(): void {}
