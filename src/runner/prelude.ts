import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdtempSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Longest wait for the prelude (ms): a huge or slow repository records no git context rather than delay the run. */
const TIMEOUT_MS = 1000;
/** Most `git status` output read (bytes); a longer one records no git context. */
const GIT_MAX_OUTPUT = 64 * 1024 * 1024;
/** `git status` as the context reads it: untracked files do not make a tree dirty, and skipping them keeps big trees fast. */
const GIT_STATUS = 'git status --porcelain=v2 --branch --untracked-files=no';
/** Where {@link startPrelude} leaves its prelude for {@link takePrelude}: a global, as bin/exec-track calls it from a file of its own (dist/bundle/prelude.cjs). */
const STARTED = Symbol.for('exec-track.prelude');

/** FIFOs the prelude made, in a private (0700) temp dir. */
export interface Fifos {
  /** One path per FIFO asked for, each a FIFO (checked with stat once the prelude ended). */
  paths: string[];
  /** Unlinks the FIFOs and removes their folder (open fds stay valid); idempotent, never throws. */
  remove(): void;
}

/**
 * The one child process that gets a `run` or `record` ready before its command starts: `mkfifo` for
 * the command's output pipes (src/runner/pipes.ts) and `git status` for the execution's context
 * (src/runner/context.ts), both from one `/bin/sh -c 'git status … & mkfifo …; wait $!'` when both
 * are needed, else whichever is. Node forks to spawn (libuv has no vfork here) and holds the main
 * thread until the child has exec'd, 4–16 ms a spawn on this project's machines: one child instead of
 * two saves one such stall per start (B4, docs/benchmarks.md "Start-up").
 */
export interface Prelude {
  /** `git status` output; null outside a repository, without git, on a non-zero exit, a timeout or too much output. Never rejects. */
  gitStatus: Promise<string | null>;
  /** The FIFOs asked for, or null when none were or not all could be made (their folder is then removed). Never rejects. */
  fifos: Promise<Fifos | null>;
  /** `hold(false)` lets the process exit while the prelude runs; `hold(true)` (the default) keeps it alive for it. */
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
 * lock a concurrent `git commit` of the user's would meet) and LC_ALL=C; the child's stderr is
 * ignored. After {@link TIMEOUT_MS} the child is killed: no git status, and the FIFOs only if all
 * exist by then. `withGit` false: the FIFOs alone (a caller that reads no context). Never throws.
 */
export function runPrelude(cwd: string, env: NodeJS.ProcessEnv, fifoCount: number, withGit = true): Prelude {
  return launch(cwd, env, fifoCount, withGit).prelude;
}

/** {@link runPrelude}, and the removal of its FIFOs' folder, which works at any time (before they are made too). */
function launch(cwd: string, env: NodeJS.ProcessEnv, fifoCount: number, withGit = true): { prelude: Prelude; removeFifos: () => void } {
  let dir: string | undefined;
  try {
    if (fifoCount > 0) dir = mkdtempSync(join(tmpdir(), 'exec-track-'));
  } catch {
    // no writable temp dir: no FIFOs (the command gets socketpairs)
  }
  const paths = dir === undefined ? [] : Array.from({ length: fifoCount }, (_, index) => join(dir, String(index)));
  const fifos = dir === undefined ? null : fifoSet(dir, paths);
  const git = withGit && (Boolean(env.GIT_DIR) || insideRepository(cwd));
  const child = spawnPrelude(cwd, env, git, paths);
  const removeFifos = (): void => fifos?.remove();
  if (!child) {
    removeFifos();
    return { prelude: { gitStatus: Promise.resolve(null), fifos: Promise.resolve(null), hold: () => undefined }, removeFifos };
  }
  const stdout = child.stdout as Socket | null;
  let settle!: (output: string | null) => void;
  // the child's stdout once it ended (null: a non-zero exit, a failed spawn, killed)
  const ended = new Promise<string | null>((resolve) => (settle = resolve));
  const gitStatus = git ? ended : Promise.resolve(null);
  const fifosMade = ended.then(() => {
    if (fifos && paths.every(isFifo)) return fifos;
    fifos?.remove();
    return null;
  });
  let settled = false;
  const done = (output: string | null): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    settle(output);
  };
  const stop = (): void => {
    child.kill();
    // (a git still writing must not keep the process alive)
    stdout?.destroy();
    done(null);
  };
  const timer = setTimeout(stop, TIMEOUT_MS);
  child.on('error', () => done(null));
  const chunks: Buffer[] = [];
  let size = 0;
  stdout?.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= GIT_MAX_OUTPUT) chunks.push(chunk);
    else stop();
  });
  child.on('close', (code) => done(code === 0 ? Buffer.concat(chunks).toString('utf8') : null));
  const hold = (held: boolean): void => {
    for (const handle of [child, stdout, timer]) {
      if (held) handle?.ref();
      else handle?.unref();
    }
  };
  return { prelude: { gitStatus, fifos: fifosMade, hold }, removeFifos };
}

/**
 * Starts the process's prelude early, for {@link takePrelude} to take over: bin/exec-track calls it
 * for `run` (`fifoCount` 2, 0 with `--pty`) and `record` (0) before it loads the CLI's bundle, while
 * the process is smallest (a fork copies its page tables) and so that the child runs on another core
 * while the modules load. Until a part is taken over the prelude does not keep the process alive, and
 * FIFOs nobody took are removed at exit (`--help`, a usage error). Never throws.
 */
export function startPrelude(fifoCount: number): void {
  try {
    const cwd = process.cwd();
    const { prelude, removeFifos } = launch(cwd, process.env, fifoCount);
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

/** The child: `git status` and `mkfifo` side by side under one `sh`, or one of them, or none (null, as when it cannot even be started). */
function spawnPrelude(cwd: string, env: NodeJS.ProcessEnv, git: boolean, paths: string[]): ChildProcess | null {
  if (!git && paths.length === 0) return null;
  try {
    if (!git) return spawn('mkfifo', ['-m', '600', ...paths], { cwd, env, stdio: 'ignore' });
    const options: SpawnOptions = { cwd, env: { ...env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'ignore'] };
    if (paths.length === 0) {
      const [file, ...args] = GIT_STATUS.split(' ');
      return spawn(file!, args, options);
    }
    // git at once and mkfifo beside it: `mkfifo; exec git` put mkfifo's fork and exit before git, whose
    // end a `run` waits for (B4). mkfifo's status does not matter (the FIFOs are checked with stat); `wait`
    // makes git's the child's, and a kill at the timeout reaches git through the trap
    return spawn('/bin/sh', ['-c', `${GIT_STATUS} & trap 'kill $!' TERM; mkfifo -m 600 "$@"; wait $!`, 'sh', ...paths], options);
  } catch {
    return null;
  }
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

/** True when `dir` or one of its parents holds `.git` (a directory, or a file for worktrees and submodules). */
function insideRepository(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, '.git'))) return true;
    if (dirname(at) === at) return false;
  }
}
