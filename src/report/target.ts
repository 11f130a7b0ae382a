import { ExecTrackError } from '../errors.js';
import { isId } from '../protocol/ids.js';

/** A `report` target as typed: an id, `last`, or nothing (the current session). */
export type TargetSpec = { kind: 'session' | 'execution'; id: string } | { kind: 'last' } | { kind: 'current' };

/** Parses the target argument. Throws ExecTrackError USAGE for anything that is not an id, `last` or empty. */
export function parseTarget(target: string | undefined): TargetSpec {
  if (target === undefined || target === '') return { kind: 'current' };
  if (target === 'last') return { kind: 'last' };
  if (isId('s', target)) return { kind: 'session', id: target };
  if (isId('e', target)) return { kind: 'execution', id: target };
  throw new ExecTrackError(
    'USAGE',
    `"${target}" is not a session id (s_…), an execution id (e_…) or "last"; run \`exec-track report\` to list this session's executions.`,
  );
}

/** The NO_RUNS error: nothing recorded yet, and how to start. `where` reads like `in the embedded store`. */
export function noRuns(where: string): ExecTrackError {
  return new ExecTrackError('NO_RUNS', `No executions recorded ${where} yet; start one with \`exec-track run -- <command>\`.`);
}

/** The NOT_FOUND error for an id; `where` reads like `in the embedded store`. */
export function notFound(kind: 'session' | 'execution', id: string, where: string): ExecTrackError {
  const hint = kind === 'execution' ? "run `exec-track report` to list this session's executions" : 'run `exec-track sessions` to list sessions';
  return ExecTrackError.of('NOT_FOUND', { thing: `${kind} ${id} found ${where}`, hint: `check the id or ${hint}` });
}
