import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { OutputPipe } from './pipes.js';

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
  /** Two pipes for stdout and stderr ({@link createOutputPipes}), or null for child_process 'pipe' (socketpairs). */
  pipes: OutputPipe[] | null;
}

/**
 * Starts `argv` with node:child_process: no shell, stdin inherited, stdout and stderr on
 * `options.pipes` (socketpairs where FIFOs could not be made) read as raw Buffers (nothing
 * collected in memory), never throwing. Without `foreground` the command gets its own session and
 * process group (`detached`), see docs/signals.md. The wrapper's own death does not take the command
 * down with it. (Plain `spawn` rather than execa: loading execa's ~100 modules cost ~150 ms CPU on
 * every `run` start; issue 6, B4.)
 */
export function spawnCommand(argv: readonly string[], options: SpawnOptions): SpawnedCommand {
  const [file, ...args] = argv;
  const { pipes } = options;
  let child;
  try {
    child = spawn(file!, args, {
      stdio: pipes ? ['inherit', pipes[0]!.writeFd, pipes[1]!.writeFd] : ['inherit', 'pipe', 'pipe'],
      detached: !options.foreground,
      env: options.env,
    });
  } finally {
    // only the command (and what it starts) may hold the write ends, or the readers never see EOF
    for (const pipe of pipes ?? []) closeSync(pipe.writeFd);
  }
  const ended = new Promise<ProcessEnd>((resolve) => {
    child.once('exit', (exitCode, signal) => resolve({ kind: 'exited', exitCode, signal }));
    // 'error' without a pid is a failed spawn (ENOENT, EACCES, …); after spawn it is a failed kill, not an end
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) resolve({ kind: 'spawn-error', code: error.code ?? 'EUNKNOWN' });
    });
  });
  return {
    pid: child.pid,
    stdout: pipes ? pipes[0]!.reader : child.stdout!,
    stderr: pipes ? pipes[1]!.reader : child.stderr!,
    ended,
    onSpawn: (listener) => child.once('spawn', listener),
  };
}
