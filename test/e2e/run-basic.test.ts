import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempHome } from '../helpers/cli.js';
import { openStore } from '../../src/store/open.js';
import { exited, readLast, series, startRun, waitFor } from './run-helpers.js';

let home: { dir: string; cleanup: () => void };
beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

const run = (args: string[], env?: NodeJS.ProcessEnv) => runCli(['run', '-q', '--', ...args], { home: home.dir, env });
const py = (code: string) => ['python3', '-c', code];

describe('exec-track run (embedded store)', () => {
  it('prints the start and summary lines on stderr around the command', async () => {
    const result = await runCli(['run', '--', 'sh', '-c', 'echo out; echo err >&2'], { home: home.dir });
    const { execution } = await readLast(home.dir);
    expect(result.exitCode).toBe(0);
    expect(result.out).toBe('out\n');
    expect(result.err).toMatch(
      new RegExp(
        `^exec-track: execution ${execution.id} in session ${execution.sessionId}\nerr\nexec-track: Passive after \\d+ms \\(exit 0\\) · CPU \\d+ms\n$`,
      ),
    );
  });

  it('records a command that exits 0 as Passive', async () => {
    const result = await run(['sh', '-c', 'echo hello']);
    const stored = await readLast(home.dir);
    expect([result.exitCode, result.out, result.err]).toEqual([0, 'hello\n', '']);
    expect(stored.execution).toMatchObject({ state: 'Passive', exitCode: 0, signal: null, reason: null, command: ['sh', '-c', 'echo hello'], lineCount: 1 });
    expect(stored.execution.endedAt).toBeGreaterThanOrEqual(stored.execution.startedAt!);
    expect(stored.texts).toEqual(['stdout:hello']);
  });

  it('exits with the code of a command that exits 3 and records Execution crushed', async () => {
    const result = await run(['sh', '-c', 'echo partial work; exit 3']);
    const stored = await readLast(home.dir);
    expect(result.exitCode).toBe(3);
    expect(stored.execution).toMatchObject({ state: 'Execution crushed', exitCode: 3, signal: null, reason: 'exited with code 3' });
    expect(stored.texts).toEqual(['stdout:partial work']);
  });

  it('exits 137 for a command killed by SIGKILL', async () => {
    const result = await run(['sh', '-c', 'echo before; kill -KILL $$']);
    const stored = await readLast(home.dir);
    expect([result.exitCode, result.out]).toEqual([137, 'before\n']);
    expect(stored.execution).toMatchObject({ state: 'Execution crushed', exitCode: 137, signal: 'SIGKILL' });
    expect(stored.texts).toEqual(['stdout:before']);
  });

  it('exits 139 with no stack trace for a command killed by SIGSEGV (FC-08)', async () => {
    const result = await run(['sh', '-c', 'echo loss=0.3; kill -SEGV $$']);
    const stored = await readLast(home.dir);
    expect([result.exitCode, result.out, result.err]).toEqual([139, 'loss=0.3\n', '']);
    expect(stored.execution).toMatchObject({ state: 'Execution crushed', exitCode: 139, signal: 'SIGSEGV' });
    expect(stored.texts).toEqual(['stdout:loss=0.3']);
  });

  it.each([
    ['a missing program exits 127', '/nonexistent/dir/train', 127, 'ENOENT'],
    ['a file that is not executable exits 126', '/etc/passwd', 126, 'EACCES'],
  ])('records Exec crushed when the command cannot start: %s (FC-13)', async (_name, program, code, errno) => {
    const result = await runCli(['run', '--', program, '--epochs', '3'], { home: home.dir });
    const stored = await readLast(home.dir);
    expect(result.exitCode).toBe(code);
    expect(result.out).toBe('');
    const lines = result.err.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^exec-track: Exec crushed after .* \\(exit ${code}\\): ${errno}: cannot run ${program}: `));
    expect(stored.execution).toMatchObject({ state: 'Exec crushed', exitCode: null, signal: null, lineCount: 0 });
    expect(stored.execution.reason).toMatch(new RegExp(`^${errno}: cannot run ${program}`));
    expect(stored.lines).toEqual([]);
  });

  it('keeps the cause line with --quiet when the command cannot start', async () => {
    const result = await run(['/nonexistent/dir/train']);
    expect([result.exitCode, result.err]).toEqual([127, 'exec-track: ENOENT: cannot run /nonexistent/dir/train: no such file or directory\n']);
  });

  it('records a shell that ran and exited 127 as Execution crushed with its message (FC-13)', async () => {
    const result = await run(['sh', '-c', 'no-such-cmd-xyz']);
    const stored = await readLast(home.dir);
    expect(result.exitCode).toBe(127);
    expect(stored.execution).toMatchObject({ state: 'Execution crushed', exitCode: 127 });
    expect(stored.lines).toHaveLength(1);
    expect(stored.lines[0]).toMatchObject({ stream: 'stderr' });
    expect(stored.lines[0]!.text).toContain('no-such-cmd-xyz');
  });

  it('stores 100 000 lines in order with seq 0..99 999', async () => {
    const result = await run(py("import sys\nw=sys.stdout.write\nfor i in range(100000): w('i=%d\\n' % i)"));
    const stored = await readLast(home.dir);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.length).toBe(Array.from({ length: 100_000 }, (_, i) => `i=${i}\n`).join('').length);
    expect(stored.execution.lineCount).toBe(100_000);
    expect(stored.lines.map((l) => l.seq)).toEqual(Array.from({ length: 100_000 }, (_, i) => i));
    expect(stored.lines.every((l, i) => l.text === `i=${i}`)).toBe(true);
  });

  it('passes invalid UTF-8 through and stores it replaced (FC-05)', async () => {
    const result = await run(
      py(
        "import sys,time; sys.stdout.buffer.write(b'caf\\xe9 \\x97 loss=0.7\\n\\xff\\xfe raw\\n'); sys.stdout.flush(); time.sleep(0.2); print('step=2 after')",
      ),
    );
    const stored = await readLast(home.dir);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toEqual(Buffer.concat([Buffer.from('caf\xe9 \x97 loss=0.7\n\xff\xfe raw\n', 'latin1'), Buffer.from('step=2 after\n')]));
    expect(stored.execution.state).toBe('Passive');
    expect(stored.texts).toEqual(['stdout:caf\uFFFD \uFFFD loss=0.7', 'stdout:\uFFFD\uFFFD raw', 'stdout:step=2 after']);
    expect(series(stored, 'loss')).toEqual([0.7]);
  });

  it('keeps a last line without newline, flagged partial, before the final state (FC-03)', async () => {
    const result = await run(['sh', '-c', 'printf "epoch=1 loss=0.5\\n"; printf "fatal: out of disk" >&2; exit 3']);
    const stored = await readLast(home.dir);
    expect([result.exitCode, result.out, result.err]).toEqual([3, 'epoch=1 loss=0.5\n', 'fatal: out of disk']);
    expect(stored.execution).toMatchObject({ state: 'Execution crushed', exitCode: 3 });
    expect(stored.lines.map(({ stream, text, partial }) => ({ stream, text, partial }))).toEqual([
      { stream: 'stdout', text: 'epoch=1 loss=0.5', partial: undefined },
      { stream: 'stderr', text: 'fatal: out of disk', partial: true },
    ]);
  });

  it('stores the final frame of carriage-return redraws and reads metrics from every frame (FC-02)', async () => {
    const code =
      "import sys,time;[(sys.stderr.write('\\rtrain %3d%% loss=%.2f'%(i,1-i/100)),sys.stderr.flush(),time.sleep(0.05)) for i in range(0,101,25)];sys.stderr.write('\\ndone\\n')";
    const result = await run(py(code));
    const stored = await readLast(home.dir);
    const frames = [0, 25, 50, 75, 100].map((i) => `\rtrain ${String(i).padStart(3)}% loss=${(1 - i / 100).toFixed(2)}`).join('');
    expect([result.exitCode, result.err]).toEqual([0, `${frames}\ndone\n`]);
    expect(stored.execution.state).toBe('Passive');
    expect(stored.texts).toEqual(['stderr:train 100% loss=0.00', 'stderr:done']);
    expect(series(stored, 'loss')).toEqual([1, 0.75, 0.5, 0.25, 0]);
    // each redraw's point keeps the time it was read: the python loop sleeps 50 ms between redraws
    const ts = stored.metrics.filter((p) => p.key === 'loss').map((p) => p.ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(ts.at(-1)! - ts[0]!).toBeGreaterThanOrEqual(150);
  });

  it('reads metrics from every one of thousands of redraws of one line, so the max is right', async () => {
    const code = "import sys\nfor i in range(5000): sys.stdout.write('\\rstep=%d loss=%d' % (i, 99 if i == 7 else i % 5))\nprint()";
    const result = await run(py(code));
    expect(result.exitCode).toBe(0);
    const stored = await readLast(home.dir);
    const loss = series(stored, 'loss');
    expect(loss).toHaveLength(5000);
    expect(Math.max(...loss)).toBe(99);
    expect(stored.texts.at(-1)).toBe('stdout:step=4999 loss=4');
  });

  it('drops the CR of CRLF line ends in storage only', async () => {
    const result = await run(['printf', 'one\\r\\ntwo\\r\\n']);
    const stored = await readLast(home.dir);
    expect(result.out).toBe('one\r\ntwo\r\n');
    expect(stored.texts).toEqual(['stdout:one', 'stdout:two']);
  });

  it('strips ANSI colours and OSC titles from stored text only (FC-06)', async () => {
    const result = await run(py("print('\\033[1mepoch\\033[0m=3 loss=\\033[31m0.25\\033[0m \\033]0;title\\007done')"));
    const stored = await readLast(home.dir);
    expect(result.out).toBe('\x1b[1mepoch\x1b[0m=3 loss=\x1b[31m0.25\x1b[0m \x1b]0;title\x07done\n');
    expect(stored.texts).toEqual(['stdout:epoch=3 loss=0.25 done']);
    expect(series(stored, 'epoch')).toEqual([3]);
    expect(series(stored, 'loss')).toEqual([0.25]);
  });

  it('numbers interleaved stdout and stderr lines in the order they were read', async () => {
    const code =
      "import sys,time\nfor i in range(6):\n  s = sys.stdout if i % 2 == 0 else sys.stderr\n  s.write('line %d\\n' % i); s.flush(); time.sleep(0.03)";
    const result = await run(py(code));
    const stored = await readLast(home.dir);
    expect([result.out, result.err]).toEqual(['line 0\nline 2\nline 4\n', 'line 1\nline 3\nline 5\n']);
    expect(stored.lines.map((l) => [l.seq, l.stream, l.text])).toEqual([
      [0, 'stdout', 'line 0'],
      [1, 'stderr', 'line 1'],
      [2, 'stdout', 'line 2'],
      [3, 'stderr', 'line 3'],
      [4, 'stdout', 'line 4'],
      [5, 'stderr', 'line 5'],
    ]);
  });

  it('passes unicode and spaces in arguments unchanged and records them', async () => {
    const args = ['printf', '%s|', 'two words', 'naïve ☃ 世界', '', '--flag=a b'];
    const result = await run(args);
    const stored = await readLast(home.dir);
    expect(result.out).toBe('two words|naïve ☃ 世界||--flag=a b|');
    expect(stored.execution.command).toEqual(args);
    expect(stored.lines).toEqual([expect.objectContaining({ text: 'two words|naïve ☃ 世界||--flag=a b|', partial: true })]);
  });

  it('gives the command its execution and session ids and PYTHONUNBUFFERED=1', async () => {
    const result = await run([join(FIXTURES, 'print-env.sh')]);
    const { execution } = await readLast(home.dir);
    expect(result.out).toBe(`execution=${execution.id}\nsession=${execution.sessionId}\nunbuffered=1\n`);
  });

  it('leaves a PYTHONUNBUFFERED set by the user alone (FC-01)', async () => {
    const result = await run([join(FIXTURES, 'print-env.sh')], { PYTHONUNBUFFERED: '' });
    expect(result.out).toMatch(/\nunbuffered=\n$/);
  });

  it('gets Python lines as they are printed, not at exit (FC-01)', async () => {
    // plain print (no flush), and the second line only once the test has seen the first one
    const flag = join(home.dir, 'go');
    const code = `import os, time\nprint('step=1 loss=0.50')\nwhile not os.path.exists(${JSON.stringify(flag)}): time.sleep(0.02)\nprint('step=2 loss=0.40')`;
    const child = startRun(['-q', '--', ...py(code)], home.dir);
    await waitFor(() => child.output().includes('step=1 loss=0.50\n'), 'the first line');
    expect(child.exitCode).toBeNull();
    const flaggedAt = Date.now();
    writeFileSync(flag, '');
    expect(await exited(child)).toBe(0);
    const stored = await readLast(home.dir);
    expect(child.output()).toBe('step=1 loss=0.50\nstep=2 loss=0.40\n');
    expect(stored.execution.state).toBe('Passive');
    expect(stored.texts).toEqual(['stdout:step=1 loss=0.50', 'stdout:step=2 loss=0.40']);
    // each line stamped when it was printed: the first before the test let the child go on, the second after
    expect(stored.lines[0]!.ts).toBeLessThanOrEqual(flaggedAt);
    expect(stored.lines[1]!.ts).toBeGreaterThanOrEqual(flaggedAt);
    expect(series(stored, 'loss')).toEqual([0.5, 0.4]);
    expect(stored.metrics.filter((p) => p.key === 'loss').map((p) => p.step)).toEqual([1, 2]);
  });

  it('lets 8 parallel runs share one fresh embedded store and one default session', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => run(['sh', '-c', `for j in 1 2 3; do echo run=${i} j=$j; done; exit ${i}`])));
    expect(results.map((r) => r.exitCode)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const store = await openStore(join(home.dir, 'exec-track.db'));
    try {
      const sessions = await store.listSessions(null);
      expect(sessions.map((s) => s.title)).toEqual(['default']);
      const executions = await store.listExecutions(sessions[0]!.id);
      expect(executions).toHaveLength(8);
      for (const execution of executions) {
        const i = Number(execution.command[2]!.match(/run=(\d)/)![1]);
        expect(execution).toMatchObject({ state: i === 0 ? 'Passive' : 'Execution crushed', exitCode: i, lineCount: 3 });
        expect((await store.readReports(execution.id)).map((l) => l.text)).toEqual([1, 2, 3].map((j) => `run=${i} j=${j}`));
      }
    } finally {
      await store.close();
    }
  });

  it('runs a script that is made executable and exits with its code', async () => {
    const script = join(home.dir, 'script with space.sh');
    writeFileSync(script, '#!/bin/sh\necho "args: $#"\nexit 5\n');
    chmodSync(script, 0o755);
    const result = await run([script, 'a', 'b']);
    expect([result.exitCode, result.out]).toEqual([5, 'args: 2\n']);
  });

  it('rejects invalid options with exit 2 before running anything', async () => {
    const results = await Promise.all([
      runCli(['run', '--metrics', 'maybe', '--', 'true'], { home: home.dir }),
      runCli(['run', '--metrics-pattern', '(', '--', 'true'], { home: home.dir }),
      runCli(['run', '--kill-after', 'soon', '--', 'true'], { home: home.dir }),
    ]);
    expect(results.map((r) => r.exitCode)).toEqual([2, 2, 2]);
    expect(results.map((r) => r.err.split('\n').length)).toEqual([2, 2, 2]);
  });
});
