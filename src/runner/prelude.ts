import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Launcher, LAUNCH_LOOP } from './launcher.js';

/** Longest wait for the prelude (ms): a huge or slow repository records no git context rather than delay the run. */
const TIMEOUT_MS = 1000;
/** Most `git status` output read (bytes); a longer one records no git context. */
const GIT_MAX_OUTPUT = 64 * 1024 * 1024;
/** `git status` as the context reads it: untracked files do not make a tree dirty, and skipping them keeps big trees fast. */
const GIT_STATUS = 'git status --porcelain=v2 --branch --untracked-files=no';
/** The shell the prelude runs in; a {@link Launcher} only where it is dash (see there). */
const SHELL = '/bin/sh';
/** Where {@link startPrelude} leaves its prelude for {@link takePrelude}: a global, as bin/exec-track calls it from a file of its own (dist/bundle/prelude.cjs). */
const STARTED = Symbol.for('exec-track.prelude');
/** The prelude's own lines in its output, among git's (which never starts a line with `# pid`, `# exit` or `# fifos`). */
const MARKER = /^# (pid|exit|fifos)(?: (\d+))?$/gm;

/** FIFOs the prelude made, in a private (0700) temp dir. */
export interface Fifos {
  /** One path per FIFO asked for, each a FIFO (checked with stat once mkfifo returned). */
  paths: string[];
  /** Unlinks the FIFOs and removes their folder (open fds stay valid); idempotent, never throws. */
  remove(): void;
}

/**
 * The one child process that gets a `run` or `record` ready before its command starts: `mkfifo` for
 * the command's output pipes (src/runner/pipes.ts) and `git status` for the execution's context
 * (src/runner/context.ts), under one `/bin/sh -c`. Node forks to spawn (libuv has no vfork here) and
 * holds the main thread until the child has exec'd, 4–16 ms a spawn on this project's machines, and
 * the parent then pays a page fault for each page it writes first: one child instead of several
 * saves such stalls on every start (B4, docs/benchmarks.md "Start-up"). Started with the command's
 * argv, the same child can become the command ({@link launcher}), so that a `run` forks once.
 */
export interface Prelude {
  /** `git status` output; null outside a repository, without git, on a non-zero exit, a timeout or too much output. Never rejects. */
  gitStatus: Promise<string | null>;
  /** The FIFOs asked for, or null when none were or not all could be made (their folder is then removed). Never rejects. */
  fifos: Promise<Fifos | null>;
  /** The child, waiting to become the command it was started with; null when it was not started as one. */
  launcher: Launcher | null;
  /** `hold(false)` lets the process exit while the prelude runs; `hold(true)` (where it is taken, and {@link runPrelude}'s) keeps it alive for it and starts the {@link TIMEOUT_MS} wait. */
  hold(held: boolean): void;
}

/** What {@link startPrelude} started, for whom; each part is taken over at most once. */
interface Started {
  cwd: string;
  env: NodeJS.ProcessEnv;
  fifoCount: number;
  prelude: Prelude;
  gitTaken: boolean;
  fifosTaken: boolean;
}

/**
 * Starts a prelude in `cwd`: `git status` when `cwd` is inside a git repository (or GIT_DIR is set;
 * outside one no git is started: a few stat calls instead of ~10 ms of CPU) and `fifoCount` FIFOs
 * (none for 0). Starts no process when neither is needed. git gets GIT_OPTIONAL_LOCKS=0 (no index
 * lock a concurrent `git commit` of the user's would meet) and LC_ALL=C. {@link TIMEOUT_MS} after
 * the prelude is held (at once here; on being taken over for {@link startPrelude}'s) git is killed:
 * no git status, and no FIFOs unless all exist by then. `withGit` false: the FIFOs alone (a caller
 * that reads no context). Never throws.
 */
export function runPrelude(cwd: string, env: NodeJS.ProcessEnv, fifoCount: number, withGit = true): Prelude {
  const { prelude } = launch(cwd, env, fifoCount, withGit, null);
  prelude.hold(true);
  return prelude;
}

/** {@link runPrelude}, maybe as a {@link Launcher} of `command`, and the removal of its FIFOs' folder, which works at any time (before they are made too). */
function launch(
  cwd: string,
  env: NodeJS.ProcessEnv,
  fifoCount: number,
  withGit: boolean,
  command: readonly string[] | null,
): { prelude: Prelude; removeFifos: () => void } {
  let dir: string | undefined;
  try {
    if (fifoCount > 0) dir = mkdtempSync(join(tmpdir(), 'exec-track-'));
  } catch {
    // no writable temp dir: no FIFOs (the command gets socketpairs)
  }
  const paths = dir === undefined ? [] : Array.from({ length: fifoCount }, (_, index) => join(dir, String(index)));
  const fifos = dir === undefined ? null : fifoSet(dir, paths);
  const removeFifos = (): void => fifos?.remove();
  const git = withGit && (Boolean(env.GIT_DIR) || insideRepository(cwd));
  const launching = command !== null && paths.length === 2 && Launcher.canBecome(command) && shellIsDash();
  const child = spawnPrelude(cwd, env, git, paths, launching ? command : null);
  if (!child) {
    removeFifos();
    return { prelude: { gitStatus: Promise.resolve(null), fifos: Promise.resolve(null), launcher: null, hold: () => undefined }, removeFifos };
  }
  const stdout = child.stdout as Socket | null;
  const output = readOutput(stdout);
  let gitPid: number | undefined;
  let settleGit!: (output: string | null) => void;
  let settleFifos!: (made: boolean) => void;
  const gitStatus = new Promise<string | null>((resolve) => (settleGit = resolve));
  const fifosMade = new Promise<boolean>((resolve) => (settleFifos = resolve)).then((made) => {
    if (fifos && made && paths.every(isFifo)) return fifos;
    fifos?.remove();
    return null;
  });
  if (!git) settleGit(null);
  if (!fifos) settleFifos(false);
  output.onMarker = (name, value) => {
    if (name === 'pid') gitPid = value;
    else if (name === 'exit') gitPid = undefined;
    else if (name === 'fifos') settleFifos(true);
  };
  let ended = false;
  let outputEnded = false;
  let timer: NodeJS.Timeout | undefined;
  output.onEnd = (text, exitCode) => {
    ended = true;
    outputEnded = true;
    clearTimeout(timer);
    settleGit(exitCode === 0 ? text : null);
    settleFifos(false);
  };
  const stop = (): void => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    // (by its pid, which its subshell told first: the child may be the command by now)
    if (gitPid !== undefined) killQuietly(gitPid);
    stdout?.destroy();
    settleGit(null);
    settleFifos(false);
  };
  child.on('error', stop);
  output.onLimit = stop;
  const launcher = launching ? new Launcher(child, command, { ...env }, cwd, () => outputEnded) : null;
  // (a launcher's child and fd 3 keep the process alive only once it became the command: Launcher.start)
  launcher?.control.unref();
  if (launcher) child.unref();
  const hold = (held: boolean): void => {
    // the wait counts from when it is waited for: bin/exec-track starts a prelude before the CLI
    // loads, which can take longer than TIMEOUT_MS on a loaded machine
    if (held && !ended) timer ??= setTimeout(stop, TIMEOUT_MS);
    for (const handle of [launcher ? null : child, stdout]) {
      if (held) handle?.ref();
      else handle?.unref();
    }
  };
  return { prelude: { gitStatus, fifos: fifosMade, launcher, hold }, removeFifos };
}

/**
 * Starts the process's prelude early, for {@link takePrelude} to take over: bin/exec-track calls it
 * for `run` (`fifoCount` 2, 0 with `--pty`) and `record` (0) before it loads the CLI's bundle, while
 * the process is smallest (a fork copies its page tables) and so that the child runs on another core
 * while the modules load. `command`: the argv `run` was given after `--` (without `--pty` or
 * `--foreground`), which the prelude then waits to become ({@link Launcher}); null for none. Until a
 * part is taken over the prelude does not keep the process alive, and FIFOs nobody took are removed
 * at exit (`--help`, a usage error). Never throws.
 */
export function startPrelude(fifoCount: number, command: readonly string[] | null = null): void {
  try {
    const cwd = process.cwd();
    const { prelude, removeFifos } = launch(cwd, process.env, fifoCount, true, command);
    prelude.hold(false);
    const started: Started = { cwd, env: process.env, fifoCount, prelude, gitTaken: false, fifosTaken: false };
    (globalThis as Record<symbol, Started | undefined>)[STARTED] = started;
    // (should the child still be making them, a FIFO made after this stays in its 0700 folder)
    if (fifoCount > 0)
      process.once('exit', () => {
        if (!started.fifosTaken) removeFifos();
      });
  } catch {
    // (a deleted working directory) the takers start their own
  }
}

/**
 * The prelude {@link startPrelude} started, when it fits: for `git`, one started in this `cwd` with
 * this `env`; for `fifos`, one that makes `fifoCount` of them. Each part is handed out once; taking
 * it makes the prelude keep the process alive again. undefined when none fits (the caller then runs
 * its own).
 */
export function takePrelude(part: { git: { cwd: string; env: NodeJS.ProcessEnv } } | { fifos: number }): Prelude | undefined {
  const started = (globalThis as Record<symbol, Started | undefined>)[STARTED];
  if (!started) return undefined;
  if ('git' in part) {
    if (started.gitTaken || started.cwd !== part.git.cwd || started.env !== part.git.env) return undefined;
    started.gitTaken = true;
  } else {
    if (started.fifosTaken || started.fifoCount !== part.fifos) return undefined;
    started.fifosTaken = true;
  }
  started.prelude.hold(true);
  return started.prelude;
}

/**
 * The child: one `sh -c` of {@link preludeScript}, its positional parameters the FIFO paths and then
 * the command for a launcher; stdin the wrapper's (a launcher's command reads it), stdout the
 * prelude's output (git's and the markers), stderr ignored, and for a launcher fd 3, the socket the
 * wrapper tells it what to do on. A launcher is started in a session of its own, as `run` starts a
 * command (src/runner/spawn.ts). null when there is nothing to do or it cannot even be started.
 */
function spawnPrelude(cwd: string, env: NodeJS.ProcessEnv, git: boolean, paths: string[], command: readonly string[] | null): ChildProcess | null {
  if (!git && paths.length === 0) return null;
  const stdio: StdioOptions = command ? ['inherit', 'pipe', 'ignore', 'pipe'] : ['ignore', 'pipe', 'ignore'];
  try {
    return spawn(SHELL, ['-c', preludeScript(git, paths.length, command !== null), 'sh', ...paths, ...(command ?? [])], {
      cwd,
      env,
      stdio,
      detached: command !== null,
    });
  } catch {
    return null;
  }
}

/**
 * The prelude's script. It writes, on its stdout: git's output with `# pid <git's pid>` before and
 * `# exit <git's exit code>` after it (git runs in the background, started first); `# fifos` once
 * mkfifo returned (its status does not matter: the FIFOs are checked with stat). Then it waits for
 * git, so that no process of its outlives it unreaped; a launcher instead gives its stdout up (the
 * output then ends with git's) and waits for the wrapper's word on fd 3 ({@link LAUNCH_LOOP}), and
 * for git just before it becomes the command when the wrapper saw git's output end.
 */
function preludeScript(git: boolean, fifoCount: number, launcher: boolean): string {
  const lines: string[] = [];
  if (git) lines.push(`{ GIT_OPTIONAL_LOCKS=0 LC_ALL=C ${GIT_STATUS} 2>/dev/null & echo "# pid $!"; wait $!; echo "# exit $?"; } 3<&- &`);
  if (fifoCount > 0) {
    const fifos = Array.from({ length: fifoCount }, (_, index) => `"$${index + 1}"`).join(' ');
    lines.push(`mkfifo -m 600 ${fifos} 3<&-; echo '# fifos'`);
  }
  lines.push(...(launcher ? ['exec >/dev/null', LAUNCH_LOOP] : ['wait']));
  return lines.join('\n');
}

/** What {@link readOutput} tells of the prelude's stdout. */
interface Output {
  /** A marker line as it arrives: `pid` (git's pid), `exit` (git's exit code, given to {@link onEnd} too), `fifos`. */
  onMarker: (name: string, value: number | undefined) => void;
  /** At its end: the text without the markers, and git's exit code (undefined when it told none). */
  onEnd: (text: string, exitCode: number | undefined) => void;
  /** More than {@link GIT_MAX_OUTPUT} bytes came. */
  onLimit: () => void;
}

/** Reads the prelude's stdout, telling its markers as they arrive (a marker is one short write, so it arrives in one chunk). */
function readOutput(stdout: Socket | null): Output {
  const output: Output = { onMarker: () => undefined, onEnd: () => undefined, onLimit: () => undefined };
  const chunks: Buffer[] = [];
  let size = 0;
  stdout?.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > GIT_MAX_OUTPUT) return output.onLimit();
    chunks.push(chunk);
    for (const [, name, value] of chunk.toString('latin1').matchAll(MARKER)) output.onMarker(name!, Number(value));
  });
  stdout?.on('error', () => undefined);
  // ('end', not 'close': the handle's close comes an event loop turn later, and `run` waits for this)
  stdout?.on('end', () => {
    if (size > GIT_MAX_OUTPUT) return;
    let exitCode: number | undefined;
    const text = Buffer.concat(chunks)
      .toString('utf8')
      .replace(MARKER, (_, name: string, value: string | undefined) => {
        if (name === 'exit') exitCode = Number(value);
        return '';
      });
    output.onEnd(text, exitCode);
  });
  return output;
}

/** The FIFOs at `paths` in `dir`, and their removal. */
function fifoSet(dir: string, paths: string[]): Fifos {
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    // one by one: a recursive rmSync loads Node's rimraf (B4)
    for (const path of paths) {
      try {
        unlinkSync(path);
      } catch {
        // mkfifo failed before making this one
      }
    }
    try {
      rmdirSync(dir);
    } catch {
      // best effort, as the FIFOs themselves: an empty 0700 folder in the temp dir harms nothing
    }
  };
  return { paths, remove };
}

function isFifo(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFIFO() ?? false;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid);
  } catch {
    // gone already
  }
}

/** True when /bin/sh is dash (Debian's and Ubuntu's), whose `exec` hands the command the environment as given (see {@link Launcher}). */
function shellIsDash(): boolean {
  try {
    return basename(realpathSync(SHELL)) === 'dash';
  } catch {
    return false;
  }
}

/** True when `dir` or one of its parents holds `.git` (a directory, or a file for worktrees and submodules). */
function insideRepository(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, '.git'))) return true;
    if (dirname(at) === at) return false;
  }
}
