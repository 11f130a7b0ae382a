import { constants } from 'node:os';
import { Readable } from 'node:stream';
import type { IPty } from '@lydell/node-pty';
import { sendSignal } from './process-group.js';
import { programError } from './resolve-program.js';
import type { ProcessEnd, SpawnedCommand } from './spawn.js';

/** The pseudo-terminal package (an optionalDependency: prebuilt binaries, no compiler needed). */
export type PtyModule = typeof import('@lydell/node-pty');

/** Loads the pseudo-terminal package on demand (plain `run` never pays for it); null when it is not installed. */
export async function loadPty(): Promise<PtyModule | null> {
  try {
    return await import('@lydell/node-pty');
  } catch {
    return null;
  }
}

/** Size of a terminal that is not one (stdout redirected). */
const DEFAULT_SIZE = { columns: 80, rows: 24 };

/**
 * Starts `argv` in a new pseudo-terminal (`run --pty`, docs/signals.md): the command is the leader
 * of its own session and process group with the pty as its controlling terminal, so `isatty()` is
 * true and it colours, redraws and line-buffers as in a terminal. Its stdout and stderr are one
 * stream (`stdout`; `stderr` is null). While it runs the wrapper's terminal is attached
 * ({@link attachTerminal}): keystrokes go to the pty raw, window-size changes follow. A program
 * that cannot be started ends as a spawn error, as with {@link spawnCommand}.
 */
export function spawnInPty(pty: PtyModule, argv: readonly string[], env: NodeJS.ProcessEnv): SpawnedCommand {
  const [file, ...args] = argv;
  const failed = programError(file!, env.PATH);
  if (failed) return notStarted(failed);
  const size = terminalSize();
  const term = pty.spawn(file!, args, {
    name: env.TERM ?? 'xterm-256color',
    cols: size.columns,
    rows: size.rows,
    cwd: process.cwd(),
    env: env as Record<string, string>,
    encoding: null,
  });
  let exited = false;
  const output = new Readable({
    read: () => term.resume(),
    // our reader went away (`| head`) while the command runs: its group gets SIGHUP, as when a terminal closes
    destroy: (error, callback) => {
      if (!exited) sendSignal(-term.pid, 'SIGHUP');
      callback(error);
    },
  });
  term.onData((chunk) => {
    if (!output.push(chunk)) term.pause();
  });
  const detach = attachTerminal(term);
  const ended = new Promise<ProcessEnd>((resolve) => {
    // node-pty reports the exit once the pty's output is read to the end
    term.onExit(({ exitCode, signal }) => {
      exited = true;
      detach();
      output.push(null);
      const name = signal ? signalName(signal) : null;
      resolve({ kind: 'exited', exitCode: name ? null : exitCode, signal: name });
    });
  });
  return { pid: term.pid, stdout: output, stderr: null, ended, onSpawn: (listener) => queueMicrotask(listener) };
}

/**
 * Connects the wrapper's terminal to the pty until the returned function is called: stdin is put in
 * raw mode when it is a TTY (so Ctrl-C, Ctrl-Z, arrows reach the command's terminal as bytes, and its
 * line discipline turns Ctrl-C into one SIGINT for the command) and copied to the pty; its end is
 * passed on as Ctrl-D; `resize` of our stdout (SIGWINCH) resizes the pty. Raw mode is undone on
 * detach and, should the wrapper die first, on exit.
 */
function attachTerminal(term: IPty): () => void {
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  const restore = (): void => {
    if (raw) stdin.setRawMode(false);
  };
  if (raw) stdin.setRawMode(true);
  process.once('exit', restore);
  const onInput = (data: string): void => term.write(data);
  const onEnd = (): void => term.write('\x04');
  stdin.setEncoding('utf8');
  stdin.on('data', onInput);
  stdin.once('end', onEnd);
  const onResize = (): void => {
    const size = terminalSize();
    term.resize(size.columns, size.rows);
  };
  process.stdout.on('resize', onResize);
  return () => {
    stdin.off('data', onInput);
    stdin.off('end', onEnd);
    stdin.pause();
    restore();
    process.off('exit', restore);
    process.stdout.off('resize', onResize);
  };
}

function terminalSize(): { columns: number; rows: number } {
  const { columns, rows } = process.stdout;
  return process.stdout.isTTY && columns > 0 && rows > 0 ? { columns, rows } : DEFAULT_SIZE;
}

function signalName(signal: number): NodeJS.Signals | null {
  const entry = Object.entries(constants.signals).find(([, number]) => number === signal);
  return entry ? (entry[0] as NodeJS.Signals) : null;
}

function notStarted(code: string): SpawnedCommand {
  return { pid: undefined, stdout: Readable.from([]), stderr: null, ended: Promise.resolve({ kind: 'spawn-error', code }), onSpawn: () => undefined };
}
