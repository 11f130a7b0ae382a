import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES, tempHome } from '../helpers/cli.js';
import { alive, exited, readLast, startRun, waitFor } from './run-helpers.js';
import { HAS_TMUX, startInTmux, type TmuxRun } from './tmux.js';

let home: { dir: string; cleanup: () => void };
beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

/** On SIGINT: a line, half a second of "cleanup" (the wrapper must keep capturing meanwhile), a last line, exit 130. */
const FC10_CHILD =
  "import signal,sys,time; signal.signal(signal.SIGINT, lambda s,f: (print('cleanup start', flush=True), time.sleep(0.5), print('saved step=7', flush=True), sys.exit(130))); print('ready', flush=True); time.sleep(600)";

describe('exec-track run signal handling', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)('passes %s sent to the wrapper PID to the command exactly once and stops its grandchild', async (signal, code) => {
    const log = join(home.dir, 'signals.log');
    const child = startRun(['-q', '--', 'python3', join(FIXTURES, 'signal-counter.py'), log], home.dir);
    await waitFor(() => child.output().includes('ready\n'), 'ready');
    const grandchild = Number(/grandchild (\d+)/.exec(child.output())![1]);
    child.kill(signal);
    expect(await exited(child)).toBe(code);
    expect(readFileSync(log, 'utf8')).toBe(`${signal}\n`);
    await waitFor(() => !alive(grandchild), 'the grandchild to stop', 5000);
    const stored = await readLast(home.dir);
    expect(stored.execution).toMatchObject({ state: 'Execution crushed', exitCode: code, signal: null });
    expect(stored.execution.reason).toContain(`exec-track received ${signal}`);
    expect(stored.texts).toEqual([`stdout:grandchild ${grandchild}`, 'stdout:ready']);
  });

  it('kills a command that ignores SIGTERM after --kill-after and says SIGKILL was needed', async () => {
    const child = startRun(['-q', '--kill-after', '1s', '--', 'python3', join(FIXTURES, 'ignore-term.py')], home.dir);
    await waitFor(() => child.output().includes('ready\n'), 'ready');
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(137);
    const stored = await readLast(home.dir);
    expect(stored.execution).toMatchObject({ state: 'Execution crushed', exitCode: 137, signal: 'SIGKILL' });
    expect(stored.execution.reason).toBe('killed by SIGKILL; exec-track received SIGTERM; SIGKILL was needed after 1000 ms');
  });

  it('stops a SIGTERM-ignoring grandchild and records the final state only after the tree is gone (FC-09)', async () => {
    const script = `python3 -c "import signal,time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)" & echo "pid $!"; wait`;
    const child = startRun(['-q', '--kill-after', '1s', '--', 'sh', '-c', script], home.dir);
    const pid = await waitFor(() => /pid (\d+)\n/.exec(child.output())?.[1], 'the grandchild pid');
    await waitFor(() => ignoresSigterm(Number(pid)), 'the grandchild to ignore SIGTERM');
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(143);
    // the wrapper exits only once the tree is gone: the grandchild is dead by now
    expect(alive(Number(pid))).toBe(false);
    expect(Date.now() - signalledAt).toBeLessThan(1000 + 2000 + 1500);
    const stored = await readLast(home.dir);
    expect(stored.execution).toMatchObject({ state: 'Execution crushed', exitCode: 143, signal: 'SIGTERM' });
    expect(stored.execution.reason).toContain('SIGKILL was needed');
    expect(stored.execution.endedAt).toBeGreaterThanOrEqual(signalledAt + 1000);
    expect(stored.texts).toEqual([`stdout:pid ${pid}`]);
  });
});

/** True once `pid` has SIGTERM in its ignored-signal mask (/proc/<pid>/status SigIgn, bit 15). */
function ignoresSigterm(pid: number): boolean {
  try {
    const mask = /SigIgn:\s*([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!;
    return (BigInt(`0x${mask}`) & (1n << 14n)) !== 0n;
  } catch {
    return false;
  }
}

let run: TmuxRun | undefined;

describe.runIf(HAS_TMUX)('exec-track run in a real terminal (tmux)', () => {
  afterEach(() => run?.kill());

  it.each([
    ['in its own process group', []],
    ['with --foreground', ['--foreground']],
  ])('delivers exactly one SIGINT to the command on Ctrl-C and keeps capturing its cleanup, %s (FC-10)', async (_mode, options) => {
    run = startInTmux(home.dir, ['python3', '-c', FC10_CHILD], options);
    await waitFor(() => run!.pane().includes('ready'), 'ready in the pane');
    run.tmux('send-keys', '-t', 'run', 'C-c');
    expect(await run.exitCode()).toBe('130');
    const text = run.pane();
    expect(text.match(/cleanup start/g)).toHaveLength(1);
    expect(text).toMatch(/ready\n.*cleanup start\nsaved step=7\n/s);
    const stored = await readLast(home.dir);
    expect(stored.execution).toMatchObject({ state: 'Execution crushed', exitCode: 130 });
    expect(stored.texts).toEqual(['stdout:ready', 'stdout:cleanup start', 'stdout:saved step=7']);
  });

  it.each([
    ['in its own process group', []],
    ['with --foreground', ['--foreground']],
  ])('lets the command read a line typed in the terminal, %s', async (_mode, options) => {
    run = startInTmux(home.dir, ['python3', '-c', "print('name?', flush=True); print('hello ' + input())"], options);
    await waitFor(() => run!.pane().includes('name?'), 'the prompt');
    run.tmux('send-keys', '-t', 'run', 'world', 'Enter');
    expect(await run.exitCode()).toBe('0');
    const stored = await readLast(home.dir);
    expect(stored.texts).toEqual(['stdout:name?', 'stdout:hello world']);
  });
});
