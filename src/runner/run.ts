import { hostname } from 'node:os';
import type { ExecutionContext, MetricsConfig, Outcome } from '../protocol/types.js';
import { Capture } from './capture.js';
import { classify, type ChildEnd } from './classify.js';
import { createRedactor } from './redact.js';
import { startSampling, type Sampling } from './sampling.js';
import { SignalForwarder } from './signals.js';
import type { OpenedExecution, Sink } from '../sink/sink.js';
import type { PtyModule } from './pty.js';
import { closeOutputPipes, createOutputPipes, type OutputPipes } from './pipes.js';
import { spawnCommand, type SpawnedCommand } from './spawn.js';
import { Tee } from './tee.js';

/** Options of {@link runExecution}, defaults already merged by the CLI. */
export interface RunOptions {
  /** `--session <id|title>`, passed to the sink. */
  session?: string;
  name: string | null;
  metrics: MetricsConfig;
  /** Grace before SIGKILL after a forwarded SIGTERM/SIGHUP (ms). */
  killAfterMs: number;
  /** Keep the command in the terminal's foreground group (docs/signals.md). */
  foreground: boolean;
  /** `--pty`: the loaded pseudo-terminal package to run the command in (src/runner/pty.ts). */
  pty?: PtyModule;
  /** Resource sampling interval (ms), null for `--sample off`. */
  sampleIntervalMs: number | null;
  /** git and version context recorded with the execution. */
  context?: ExecutionContext | null;
  /** The wrapper's environment (default `process.env`); the command gets it plus the exec-track variables. */
  env?: NodeJS.ProcessEnv;
  /**
   * The command's output pipes, made ahead by the caller ({@link createOutputPipes}, so that `mkfifo`
   * runs while the store opens); runExecution owns them from the call on. Made here when absent.
   */
  outputPipes?: Promise<OutputPipes | null>;
  /** Called once the execution exists in the sink, before the command is started (also when it then cannot start). */
  onOpen?: (opened: OpenedExecution) => void;
  /** Called once the command is running. */
  onStart?: (opened: OpenedExecution) => void;
  /** Called after the outcome was handed to the sink; `durationMs` is start to end. */
  onEnd?: (outcome: Outcome, exitCode: number, durationMs: number) => void;
  /** One-line notices for the user (the CLI prefixes `exec-track: ` and writes them to stderr). */
  notice: (message: string) => void;
}

/**
 * Runs `argv` as a tracked execution (DESIGN §2, §5, §7) and resolves with the exit code the wrapper
 * should exit with: the command's code, 128+N for signal N, 127/126 when it cannot start.
 *
 * Opens the execution on `sink` (errors from `open` propagate: nothing ran yet), spawns the command
 * with the real argv and env plus EXEC_TRACK_EXECUTION_ID, EXEC_TRACK_SESSION_ID and
 * PYTHONUNBUFFERED=1 (unless set), passes its output through byte for byte while capturing lines,
 * forwards signals, waits for the whole tree after a terminating signal, then records the outcome.
 * The argv and every line are redacted before they reach the sink.
 */
export async function runExecution(argv: readonly string[], options: RunOptions, sink: Sink): Promise<number> {
  const env = options.env ?? process.env;
  const redactor = createRedactor(argv, env);
  const startedAt = Date.now();
  const outputPipes = options.pty ? Promise.resolve(null) : (options.outputPipes ?? createOutputPipes(2));
  const opened = await sink
    .open({
      session: options.session,
      name: options.name,
      command: redactor.argv,
      cwd: process.cwd(),
      host: hostname(),
      pid: process.pid,
      startedAt,
      metrics: options.metrics,
      context: options.context ?? null,
    })
    .catch(async (error: unknown) => {
      closeOutputPipes(await outputPipes);
      throw error;
    });
  options.onOpen?.(opened);
  const commandEnv = {
    ...env,
    EXEC_TRACK_EXECUTION_ID: opened.executionId,
    EXEC_TRACK_SESSION_ID: opened.sessionId,
    PYTHONUNBUFFERED: 'PYTHONUNBUFFERED' in env ? env.PYTHONUNBUFFERED : '1',
  };
  const command = options.pty
    ? (await import('./pty.js')).spawnInPty(options.pty, argv, commandEnv)
    : spawnCommand(argv, { env: commandEnv, foreground: options.foreground, pipes: await outputPipes });
  command.onSpawn(() => options.onStart?.(opened));
  const forwarder =
    command.pid === undefined
      ? undefined
      : new SignalForwarder({ pid: command.pid, foreground: options.foreground && !options.pty, killAfterMs: options.killAfterMs });
  forwarder?.start();
  const capture = new Capture(sink, redactor.text, options.notice);
  const sampling = sample(command, options, capture);
  try {
    const end = await follow(command, argv[0]!, forwarder, sink, capture);
    const { outcome, wrapperExitCode } = classify(end, Date.now());
    if (sampling) outcome.usage = sampling.stop();
    await finish(sink, outcome, options.notice);
    options.onEnd?.(outcome, wrapperExitCode, outcome.endedAt - startedAt);
    return wrapperExitCode;
  } finally {
    forwarder?.stop();
    sampling?.stop();
  }
}

/** Starts resource sampling of a started command (src/runner/sampling.ts), stopped the moment it is reaped. */
function sample(command: SpawnedCommand, options: RunOptions, capture: Capture): Sampling | undefined {
  if (command.pid === undefined || options.sampleIntervalMs === null) return undefined;
  const sampling = startSampling({
    pid: command.pid,
    intervalMs: options.sampleIntervalMs,
    path: (options.env ?? process.env).PATH,
    // as points records between the lines: the same path (store, stream, spool, sync) as a client's points
    write: (points) => capture.points(points, Date.now()),
    note: options.notice,
  });
  // at once, before any other child of the wrapper is reaped: its CPU total is read from the reaped-children times
  void command.ended.then(() => sampling.stop());
  return sampling;
}

/** Captures the command's output until it and (after a terminating signal) its tree are gone. */
async function follow(command: SpawnedCommand, program: string, forwarder: SignalForwarder | undefined, sink: Sink, capture: Capture): Promise<ChildEnd> {
  const tees: Tee[] = [];
  const onChunk = (stream: 'stdout' | 'stderr') => (chunk: Buffer, ts: number) => {
    capture.push(stream, chunk, ts);
    const wait = sink.backpressure?.();
    if (!wait) return;
    for (const tee of tees) tee.pause('sink');
    void wait.then(() => tees.forEach((tee) => tee.resume('sink')));
  };
  tees.push(new Tee(command.stdout, process.stdout, onChunk('stdout')));
  if (command.stderr) tees.push(new Tee(command.stderr, process.stderr, onChunk('stderr')));
  const ended = await command.ended;
  if (ended.kind === 'spawn-error') {
    await Promise.all(tees.map((tee) => tee.drain()));
    return { kind: 'spawn-error', code: ended.code, program };
  }
  await forwarder?.settle();
  await Promise.all(tees.map((tee) => tee.drain()));
  capture.end();
  return {
    kind: 'exited',
    exitCode: ended.exitCode,
    signal: ended.signal,
    received: forwarder?.received ?? null,
    killedAfterMs: forwarder?.killedAfterMs ?? null,
  };
}

/** Signals that cut the end-of-run wait: the command is gone, the user wants the prompt back. */
const INTERRUPTING: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Records the outcome; a failing sink is reported, never allowed to change the exit code. A Ctrl-C
 * (or SIGTERM) while the sink waits for its server ends the wait at once ({@link Sink.interrupt}).
 */
async function finish(sink: Sink, outcome: Outcome, notice: (message: string) => void): Promise<void> {
  const interrupt = (): void => sink.interrupt?.();
  for (const signal of INTERRUPTING) process.on(signal, interrupt);
  try {
    await sink.finish(outcome);
  } catch (error) {
    notice(`could not record the outcome (${(error as Error).message}).`);
  } finally {
    for (const signal of INTERRUPTING) process.off(signal, interrupt);
  }
}
