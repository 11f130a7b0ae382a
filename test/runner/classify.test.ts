import { describe, expect, it } from 'vitest';
import { classify, type ChildEnd } from '../../src/runner/classify.js';

const AT = 1_700_000_000_000;

describe('classify', () => {
  it.each<[string, ChildEnd, { state: string; exitCode: number | null; signal: string | null; reason: string | null }, number]>([
    ['exit 0 is Passive', { kind: 'exited', exitCode: 0, signal: null }, { state: 'Passive', exitCode: 0, signal: null, reason: null }, 0],
    [
      'exit 3 is Execution crushed',
      { kind: 'exited', exitCode: 3, signal: null },
      { state: 'Execution crushed', exitCode: 3, signal: null, reason: 'exited with code 3' },
      3,
    ],
    [
      'a shell that exits 127 ran, so it is Execution crushed',
      { kind: 'exited', exitCode: 127, signal: null },
      { state: 'Execution crushed', exitCode: 127, signal: null, reason: 'exited with code 127' },
      127,
    ],
    [
      'SIGSEGV gives 139 (FC-08)',
      { kind: 'exited', exitCode: null, signal: 'SIGSEGV' },
      { state: 'Execution crushed', exitCode: 139, signal: 'SIGSEGV', reason: 'killed by SIGSEGV' },
      139,
    ],
    [
      'SIGKILL gives 137',
      { kind: 'exited', exitCode: null, signal: 'SIGKILL' },
      { state: 'Execution crushed', exitCode: 137, signal: 'SIGKILL', reason: 'killed by SIGKILL' },
      137,
    ],
    [
      'a forwarded SIGTERM that needed SIGKILL says so (FC-09)',
      { kind: 'exited', exitCode: null, signal: 'SIGTERM', received: 'SIGTERM', killedAfterMs: 1000 },
      {
        state: 'Execution crushed',
        exitCode: 143,
        signal: 'SIGTERM',
        reason: 'killed by SIGTERM; exec-track received SIGTERM; SIGKILL was needed after 1000 ms',
      },
      143,
    ],
    [
      'a child that handled SIGINT and exited 130 keeps its code (FC-10)',
      { kind: 'exited', exitCode: 130, signal: null, received: 'SIGINT' },
      { state: 'Execution crushed', exitCode: 130, signal: null, reason: 'exited with code 130; exec-track received SIGINT' },
      130,
    ],
    [
      'ENOENT is Exec crushed with 127 and no exit code (FC-13)',
      { kind: 'spawn-error', code: 'ENOENT', program: '/nonexistent/dir/train' },
      { state: 'Exec crushed', exitCode: null, signal: null, reason: 'ENOENT: cannot run /nonexistent/dir/train: no such file or directory' },
      127,
    ],
    [
      'EACCES is Exec crushed with 126 (FC-13)',
      { kind: 'spawn-error', code: 'EACCES', program: '/etc/passwd' },
      { state: 'Exec crushed', exitCode: null, signal: null, reason: 'EACCES: cannot run /etc/passwd: permission denied (not executable)' },
      126,
    ],
  ])('%s', (_name, end, expected, wrapperExitCode) => {
    expect(classify(end, AT)).toEqual({ outcome: { ...expected, endedAt: AT }, wrapperExitCode });
  });
});

describe('classify with a very long program path', () => {
  it('cuts the reason to what the server accepts (outcomeReason), so the outcome is never refused', async () => {
    const { outcomeSchema } = await import('../../src/protocol/messages.js');
    const program = `/${'d'.repeat(3000)}/train`;
    const { outcome } = classify({ kind: 'spawn-error', code: 'ENOENT', program }, AT);
    expect(outcome.reason).toHaveLength(1000);
    expect(outcome.reason).toMatch(/^ENOENT: cannot run \/d+…$/);
    expect(outcomeSchema.safeParse(outcome).success).toBe(true);
  });
});
