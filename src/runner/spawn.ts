import { execa } from 'execa';
import type { Readable } from 'node:stream';

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
  stderr: Readable;
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
}

/**
 * Starts `argv` with execa: no shell, stdin inherited, stdout and stderr piped as raw Buffers
 * (`buffer: false`, nothing collected in memory), never rejecting. Without `foreground` the
 * command gets its own session and process group (`detached`), see docs/signals.md.
 * execa's `cleanup` is off: the wrapper's own death must not take the command down with it.
 */
export function spawnCommand(argv: readonly string[], options: SpawnOptions): SpawnedCommand {
  const [file, ...args] = argv;
  const subprocess = execa(file!, args, {
    buffer: false,
    reject: false,
    stdin: 'inherit',
    stdout: 'pipe',
    stderr: 'pipe',
    encoding: 'buffer',
    cleanup: false,
    detached: !options.foreground,
    env: options.env,
    extendEnv: false,
  });
  const exited = new Promise<ProcessEnd>((resolve) => {
    subprocess.once('exit', (exitCode, signal) => resolve({ kind: 'exited', exitCode, signal }));
  });
  // execa settles without an exit event when spawn fails; its result then carries the errno name
  const failed = subprocess.then((result): Promise<ProcessEnd> | ProcessEnd =>
    subprocess.pid === undefined ? { kind: 'spawn-error', code: result.code ?? 'EUNKNOWN' } : exited,
  );
  return {
    pid: subprocess.pid,
    stdout: subprocess.stdout,
    stderr: subprocess.stderr,
    ended: Promise.race([exited, failed]),
    onSpawn: (listener) => subprocess.once('spawn', listener),
  };
}
