import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import type { ExecutionContext } from '../protocol/types.js';
import { VERSION } from '../version.js';

/** Longest wait for `git status` (ms): a huge or slow repository records no git context rather than delay the run. */
const GIT_TIMEOUT_MS = 1000;
/** Most `git status` output read (bytes); a longer one records no git context. */
const GIT_MAX_OUTPUT = 64 * 1024 * 1024;
/** Where {@link startContext} leaves its read for {@link readContext}: a global, as bin/exec-track calls it from a file of its own (dist/bundle/context.cjs). */
const STARTED = Symbol.for('exec-track.context');

/** A context being read: the promise, and `hold(true)` to keep the process alive for it (it does by default). */
interface ContextRead {
  context: Promise<ExecutionContext>;
  hold(held: boolean): void;
}

/** What {@link startContext} started, for whom. */
interface Started {
  cwd: string;
  env: NodeJS.ProcessEnv;
  read: ContextRead;
}

/**
 * The context recorded with an execution (issue 16): the git commit, branch and dirty flag of the
 * repository holding `cwd`, and this exec-track's version. One `git status --porcelain=v2 --branch
 * --untracked-files=no` (untracked files do not make a tree dirty, and skipping them keeps big trees
 * fast). No repository, no git, no commit yet, or a slower git than {@link GIT_TIMEOUT_MS} →
 * `git: null`, silently. Never rejects. Reads nothing about the user or the environment;
 * GIT_OPTIONAL_LOCKS=0 keeps git from taking the index lock a concurrent `git commit` of the user's
 * would meet. The read {@link startContext} started for this `cwd` and `env` is taken over, else one starts now.
 */
export function readContext(cwd: string, env: NodeJS.ProcessEnv): Promise<ExecutionContext> {
  const started = (globalThis as Record<symbol, Started | undefined>)[STARTED];
  delete (globalThis as Record<symbol, Started | undefined>)[STARTED];
  if (started && started.cwd === cwd && started.env === env) {
    started.read.hold(true);
    return started.read.context;
  }
  return read(cwd, env).context;
}

/**
 * Starts reading the context of the process's working directory for its {@link readContext} to take
 * over. bin/exec-track calls it for `run` and `record` before it loads the CLI's bundle, so that git
 * runs on another core while the modules load instead of after (B4, docs/benchmarks.md "Start-up").
 * Until taken over, the read keeps the process alive for nothing: a `run` that ends early (`--help`, a
 * usage error) exits without waiting for git. Never throws.
 */
export function startContext(): void {
  try {
    const cwd = process.cwd();
    const started = read(cwd, process.env);
    started.hold(false);
    (globalThis as Record<symbol, Started | undefined>)[STARTED] = { cwd, env: process.env, read: started };
  } catch {
    // (a deleted working directory) readContext reads it itself
  }
}

/** Starts one read, held. */
function read(cwd: string, env: NodeJS.ProcessEnv): ContextRead {
  // outside any repository no git process is started (a few stat calls instead of ~10 ms of CPU)
  const child = env.GIT_DIR || insideRepository(cwd) ? spawnGit(cwd, env) : null;
  if (!child) return { context: Promise.resolve({ git: null, version: VERSION }), hold: () => undefined };
  const stdout = child.stdout as Socket;
  let timer: NodeJS.Timeout | undefined;
  const context = new Promise<ExecutionContext>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (status: string | null): void => {
      clearTimeout(timer);
      resolve({ git: status === null ? null : parseStatus(status), version: VERSION });
    };
    timer = setTimeout(() => {
      child.kill();
      done(null);
    }, GIT_TIMEOUT_MS);
    child.on('error', () => done(null));
    stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= GIT_MAX_OUTPUT) chunks.push(chunk);
      else {
        child.kill();
        done(null);
      }
    });
    child.on('close', (code) => done(code === 0 ? Buffer.concat(chunks).toString('utf8') : null));
  });
  const hold = (held: boolean): void => {
    for (const handle of [child, stdout, timer]) {
      if (held) handle?.ref();
      else handle?.unref();
    }
  };
  return { context, hold };
}

/** `git status` in `cwd`, its output piped; null when it cannot even be started. */
function spawnGit(cwd: string, env: NodeJS.ProcessEnv): ChildProcess | null {
  try {
    const args = ['status', '--porcelain=v2', '--branch', '--untracked-files=no'];
    return spawn('git', args, { cwd, env: { ...env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

/** True when `dir` or one of its parents holds `.git` (a directory, or a file for worktrees and submodules). */
function insideRepository(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, '.git'))) return true;
    if (dirname(at) === at) return false;
  }
}

/** `# branch.oid <sha>`, `# branch.head <name>|(detached)`, then one line per changed entry. */
export function parseStatus(stdout: string): ExecutionContext['git'] {
  let commit: string | null = null;
  let branch: string | null = null;
  let dirty = false;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('# branch.oid ')) commit = line.slice(13).trim();
    else if (line.startsWith('# branch.head ')) branch = line.slice(14).trim();
    else if (line !== '' && !line.startsWith('#')) dirty = true;
  }
  // `(initial)`: a repository without a commit has nothing to point at
  if (commit === null || commit === '(initial)') return null;
  return { commit, branch: branch === '(detached)' ? null : branch, dirty };
}
