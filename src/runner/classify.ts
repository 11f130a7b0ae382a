import { constants } from 'node:os';
import { cutText, TEXT_LIMITS } from '../protocol/limits.js';
import type { Outcome } from '../protocol/types.js';

/** How the child's life ended, as the runner observed it. Exactly one of the two ways applies. */
export type ChildEnd =
  /** The command could not be started (spawn failed with an errno code such as ENOENT). */
  | { kind: 'spawn-error'; code: string; program: string }
  /** The command ran and exited with a code or was killed by a signal. */
  | { kind: 'exited'; exitCode: number | null; signal: string | null; received?: string | null; killedAfterMs?: number | null };

/** An {@link Outcome} plus the exit code of `exec-track run` itself. */
export interface Classification {
  outcome: Outcome;
  /** What the wrapper exits with (DESIGN §2: child's code, 128+N, 127, 126, 125). */
  wrapperExitCode: number;
}

/** Exit code of the wrapper when it failed before the child ran (DESIGN §2). */
export const INTERNAL_EXIT_CODE = 125;

/**
 * Classifies a finished execution (DESIGN §2): exit 0 → `Passive`; a non-zero code or a signal →
 * `Execution crushed` (signal N → exit code 128+N, as shells report it); a spawn error → `Exec crushed`
 * with 127 for ENOENT and 126 otherwise (EACCES, not executable). A wrapper that fails before the
 * command ran never gets here: it exits 125 (cli/commands/tracking.ts, trackingFailed).
 * It is the spawn error, never the number, that tells "could not start" from "ran and failed".
 *
 * `received` names a terminating signal the wrapper received (and passed on to the command, see
 * docs/signals.md); `killedAfterMs` says the command's processes needed SIGKILL after that grace —
 * both go into `reason`.
 */
export function classify(end: ChildEnd, endedAt: number): Classification {
  if (end.kind === 'spawn-error') {
    const code = end.code === 'ENOENT' ? 127 : 126;
    return crushed('Exec crushed', null, null, `${end.code}: cannot run ${end.program}: ${spawnCause(end.code)}`, endedAt, code);
  }
  const notes = [
    end.received ? `exec-track received ${end.received}` : null,
    end.killedAfterMs != null ? `SIGKILL was needed after ${end.killedAfterMs} ms` : null,
  ].filter((note): note is string => note !== null);
  if (end.signal) {
    const exitCode = 128 + signalNumber(end.signal);
    return crushed('Execution crushed', exitCode, end.signal, [`killed by ${end.signal}`, ...notes].join('; '), endedAt, exitCode);
  }
  const exitCode = end.exitCode ?? INTERNAL_EXIT_CODE;
  if (exitCode === 0) {
    const outcome: Outcome = { state: 'Passive', exitCode: 0, signal: null, reason: notes.length > 0 ? notes.join('; ') : null, endedAt };
    return { outcome, wrapperExitCode: 0 };
  }
  return crushed('Execution crushed', exitCode, null, [`exited with code ${exitCode}`, ...notes].join('; '), endedAt, exitCode);
}

/** The cause of a spawn error code in words. */
function spawnCause(code: string): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
      return 'permission denied (not executable)';
    default:
      return 'it could not be started';
  }
}

function crushed(
  state: Outcome['state'],
  exitCode: number | null,
  signal: string | null,
  reason: string,
  endedAt: number,
  wrapperExitCode: number,
): Classification {
  // the server refuses longer reasons for good (protocol/limits.ts): a long program path must not cost the outcome
  return { outcome: { state, exitCode, signal, reason: cutText(reason, TEXT_LIMITS.outcomeReason), endedAt }, wrapperExitCode };
}

function signalNumber(name: string): number {
  return constants.signals[name as keyof typeof constants.signals] ?? 0;
}
