import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { readStat } from './process-group.js';
import { programError } from './resolve-program.js';

/** The loop variable of {@link LAUNCH_LOOP}: a command environment holding it is not launched. */
const LINE = 'exec_track_line';

/**
 * Where a launcher's shell waits (the end of src/runner/prelude.ts's script; `$1`, `$2`: the FIFOs,
 * the command after them): one line per environment change from fd 3 — `NAME=value` is exported,
 * `NAME` unset — then `--wait` or `--`, on which it reaps git's subshell (`--wait` only: the wrapper
 * says so once git's output ended, as a git stuck in the kernel would hold the command's start
 * forever), opens the FIFOs as its stdout and stderr, closes fd 3 and `exec`s the command. At the end
 * of fd 3 without either (the wrapper declined, failed or died) it exits 0.
 */
export const LAUNCH_LOOP = `while IFS= read -r ${LINE} <&3; do
case $${LINE} in
--wait|--) [ "$${LINE}" = --wait ] && wait; unset ${LINE}; exec >"$1" 2>"$2" 3<&-; shift 2; exec "$@";;
*=*) export "$${LINE}";;
*) unset "$${LINE}";;
esac
done`;

/** Longest argv (bytes, all arguments) a launcher is started with: its shell gets the command's argv too, and one near ARG_MAX would not start. */
const MAX_ARGV_BYTES = 64 * 1024;
/** A name dash keeps in the environment it passes on (it drops any other). */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables dash sets itself when they come in its environment (PWD, which it sets too, is always told). */
const SHELL_SET = new Set(['IFS', 'OPTIND', 'PPID', LINE]);

/**
 * The prelude's child waiting to become the command `run` was given (B4): bin/exec-track starts it
 * with the command's argv before the CLI loads, in a session of its own as `run` starts a command,
 * so that the command is started without a fork of the (by then larger) wrapper: Node forks to spawn,
 * which held its main thread 7–9 ms and made it fault on each page it wrote afterwards.
 *
 * The child is `/bin/sh` when that is dash, whose `exec` passes the environment as given (bash would
 * add `_` and raise SHLVL): the process the wrapper waits for, signals and samples is then the
 * command's own, with the argv, environment (changes told on fd 3, PWD always), stdin, session and
 * output pipes a spawn would have given it. {@link start} declines whatever it cannot pass exactly,
 * and the caller spawns as usual.
 */
export class Launcher {
  /** fd 3 of the child: the lines of {@link LAUNCH_LOOP}. */
  readonly control: Socket;
  /** Resolves once the child let go of fd 3: it exec'd the command, or exited. */
  readonly released: Promise<void>;
  readonly #child: ChildProcess;
  readonly #argv: readonly string[];
  readonly #env: NodeJS.ProcessEnv;
  readonly #cwd: string;
  readonly #gitEnded: () => boolean;
  #settled = false;

  /**
   * `env`: a copy of the environment the child was started with; `cwd` its working directory;
   * `gitEnded`: whether the output of the child's git subshell has ended (it has exited, or is about to).
   */
  constructor(child: ChildProcess, argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string, gitEnded: () => boolean) {
    this.#child = child;
    this.#gitEnded = gitEnded;
    this.#argv = argv;
    this.#env = env;
    this.#cwd = cwd;
    this.control = child.stdio[3] as Socket;
    this.control.on('error', () => undefined);
    this.released = new Promise((resolve) => this.control.once('close', () => resolve()));
  }

  /** True for an argv a launcher can take: a program name that is not empty and does not start with `-` (dash's `exec` would read it as an option), {@link MAX_ARGV_BYTES} at most. */
  static canBecome(argv: readonly string[]): boolean {
    const program = argv[0];
    const bytes = argv.reduce((sum, arg) => sum + Buffer.byteLength(arg) + 1, 0);
    return program !== undefined && program !== '' && !program.startsWith('-') && bytes <= MAX_ARGV_BYTES;
  }

  /**
   * Makes the child the command `argv` with the complete environment `env` and returns it (its pid is
   * the command's); null, declining, when it cannot be exactly what a spawn would start: another argv or
   * working directory than it was started for, `foreground` (its session is its own), a program that
   * cannot be started (the caller's spawn reports that as it always does), an environment dash would
   * not pass on as given, or a child already gone. Once only.
   */
  start(argv: readonly string[], env: NodeJS.ProcessEnv, foreground: boolean): ChildProcess | null {
    const lines = this.#settled || foreground || !this.#fits(argv) ? null : this.#envLines(env);
    if (lines === null || !plainPath(env.PATH) || programError(argv[0]!, env.PATH) !== null) {
      this.decline();
      return null;
    }
    this.#settled = true;
    this.#child.ref();
    // (a git subshell still running, after the prelude's timeout killed git, stays a child of the command)
    this.control.end(`${[...lines, this.#gitEnded() ? '--wait' : '--'].join('\n')}\n`);
    return this.#child;
  }

  /** Lets the child exit without starting anything (idempotent). */
  decline(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.control.end();
  }

  #fits(argv: readonly string[]): boolean {
    // from /proc: a child killed while the wrapper loaded is a zombie whose exit Node has not seen yet
    const stat = this.#child.pid === undefined ? undefined : readStat(this.#child.pid);
    const alive = this.control.writable && stat !== undefined && stat.state !== 'Z';
    return alive && process.cwd() === this.#cwd && argv.length === this.#argv.length && argv.every((arg, index) => arg === this.#argv[index]);
  }

  /** The lines that turn the child's environment into `env`, or null when dash could not pass `env` on as given. */
  #envLines(env: NodeJS.ProcessEnv): string[] | null {
    const lines: string[] = [];
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) continue;
      if (!NAME.test(name) || SHELL_SET.has(name) || value.includes('\n')) return null;
      if (value !== this.#env[name] || name === 'PWD') lines.push(`${name}=${value}`);
    }
    for (const name of Object.keys(this.#env)) {
      if (env[name] !== undefined || !NAME.test(name) || name === 'PWD') continue;
      if (SHELL_SET.has(name)) return null;
      lines.push(name);
    }
    if (env.PWD === undefined) lines.push('PWD');
    return lines;
  }
}

/** A PATH dash searches as execvp does: set, not empty, and without dash's `%func`/`%builtin` entries. */
function plainPath(path: string | undefined): boolean {
  return path !== undefined && path !== '' && !path.includes('%');
}
