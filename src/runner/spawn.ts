import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { closeWriteEnds, type OutputPipes } from './pipes.js';

/** How the command's process ended, or why it never started. */
export type ProcessEnd =
  | { kind: 'exited'; exitCode: number | null; signal: NodeJS.Signals | null }
  /** spawn failed; `code` is the errno name (ENOENT, EACCES, …). */
  | { kind: 'spawn-error'; code: string };

/** A started (or failed) command. */
export interface SpawnedCommand {
  /** PID, undefined when spawn failed. */
  pid: number | undefined;
  stdout: Readable;
  /** null when stderr is merged into `stdout` (a pseudo-terminal, src/runner/pty.ts). */
  stderr: Readable | null;
  /** Resolves when the process has exited (before its pipes necessarily close) or failed to spawn. */
  ended: Promise<ProcessEnd>;
  /** Calls `listener` once the process is running (never when spawn fails). */
  onSpawn(listener: () => void): void;
}

/** Options of {@link spawnCommand}. */
export interface SpawnOptions {
  /** The complete environment of the command (not merged with ours). */
  env: NodeJS.ProcessEnv;
  /** Keep the command in our process group instead of a new session (`run --foreground`). */
  foreground: boolean;
  /** Two pipes for stdout and stderr ({@link createOutputPipes}), maybe with a launcher, or null for child_process 'pipe' (socketpairs). */
  pipes: OutputPipes | null;
}

/**
 * Starts `argv`: the prelude's launcher becomes it when it can (src/runner/launcher.ts: no fork of
 * ours, B4), else node:child_process starts it. No shell, stdin inherited, stdout and stderr on
 * `options.pipes` (socketpairs where FIFOs could not be made) read as raw Buffers (nothing
 * collected in memory), never throwing. Without `foreground` the command gets its own session and
 * process group (`detached`), see docs/signals.md. The wrapper's own death does not take the command
 * down with it. (Plain `spawn` rather than execa: loading execa's ~100 modules cost ~150 ms CPU on
 * every `run` start; issue 6, B4.)
 */
export function spawnCommand(argv: readonly string[], options: SpawnOptions): SpawnedCommand {
  const { pipes } = options;
  const launcher = pipes?.launcher;
  const launched = launcher?.start(argv, options.env, options.foreground);
  if (launched) {
    // it opened its own ends by name as it became the command
    void launcher!.released.then(() => closeWriteEnds(pipes!));
    return spawned(launched, pipes, (listener) => process.nextTick(listener));
  }
  pipes?.removeFifos();
  const [file, ...args] = argv;
  let child;
  try {
    child = spawn(file!, args, {
      stdio: pipes ? ['inherit', pipes.pipes[0]!.writeFd, pipes.pipes[1]!.writeFd] : ['inherit', 'pipe', 'pipe'],
      detached: !options.foreground,
      env: options.env,
    });
  } finally {
    closeWriteEnds(pipes);
  }
  return spawned(child, pipes, (listener) => child.once('spawn', listener));
}

/** The {@link SpawnedCommand} of `child`, reading `pipes` (else its own stdio). */
function spawned(child: ChildProcess, pipes: OutputPipes | null, onSpawn: SpawnedCommand['onSpawn']): SpawnedCommand {
  const ended = new Promise<ProcessEnd>((resolve) => {
    child.once('exit', (exitCode, signal) => resolve({ kind: 'exited', exitCode, signal }));
    // 'error' without a pid is a failed spawn (ENOENT, EACCES, …); after spawn it is a failed kill, not an end
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) resolve({ kind: 'spawn-error', code: error.code ?? 'EUNKNOWN' });
    });
  });
  return {
    pid: child.pid,
    stdout: pipes ? pipes.pipes[0]!.reader : child.stdout!,
    stderr: pipes ? pipes.pipes[1]!.reader : child.stderr!,
    ended,
    onSpawn,
  };
}
