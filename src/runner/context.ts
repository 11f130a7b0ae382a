import type { ExecutionContext } from '../protocol/types.js';
import { VERSION } from '../version.js';
import { runPrelude, takePrelude } from './prelude.js';

/**
 * The context recorded with an execution (issue 16): the git commit, branch and dirty flag of the
 * repository holding `cwd`, and this exec-track's version. The git part is the `git status` of a
 * prelude (src/runner/prelude.ts: the one taken over from bin/exec-track's start for this `cwd` and
 * `env`, else one started now): no repository, no git, no commit yet, or a slower git than the
 * prelude waits for → `git: null`, silently. Never rejects. Reads nothing about the user or the environment.
 */
export async function readContext(cwd: string, env: NodeJS.ProcessEnv): Promise<ExecutionContext> {
  const prelude = takePrelude({ git: { cwd, env } }) ?? runPrelude(cwd, env, 0);
  const status = await prelude.gitStatus;
  return { git: status === null ? null : parseStatus(status), version: VERSION };
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
