import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ExecutionContext } from '../protocol/types.js';
import { VERSION } from '../version.js';

/** Longest wait for `git status` (ms): a huge or slow repository records no git context rather than delay the run. */
const GIT_TIMEOUT_MS = 1000;

/**
 * The context recorded with an execution (issue 16): the git commit, branch and dirty flag of the
 * repository holding `cwd`, and this exec-track's version. One `git status --porcelain=v2 --branch
 * --untracked-files=no` (started at once so it overlaps the store's opening; untracked files do not
 * make a tree dirty, and skipping them keeps big trees fast). No repository, no git, no commit yet,
 * or a slower git than {@link GIT_TIMEOUT_MS} → `git: null`, silently. Never rejects. Reads nothing
 * about the user or the environment; GIT_OPTIONAL_LOCKS=0 keeps git from taking the index lock a
 * concurrent `git commit` of the user's would meet.
 */
export function readContext(cwd: string, env: NodeJS.ProcessEnv): Promise<ExecutionContext> {
  // outside any repository no git process is started (a few stat calls instead of ~10 ms of CPU)
  if (!env.GIT_DIR && !insideRepository(cwd)) return Promise.resolve({ git: null, version: VERSION });
  return new Promise((resolve) => {
    const args = ['status', '--porcelain=v2', '--branch', '--untracked-files=no'];
    const options = { cwd, env: { ...env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' }, timeout: GIT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 };
    execFile('git', args, options, (error, stdout) => resolve({ git: error ? null : parseStatus(stdout), version: VERSION }));
  });
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
