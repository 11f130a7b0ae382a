import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, cliEnv, runCli, tempHome } from '../helpers/cli.js';
import { alive, readLast, waitFor } from './run-helpers.js';
import { HAS_TMUX, startInTmux, type TmuxRun } from './tmux.js';

let home: { dir: string; cleanup: () => void };
beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

/** Colours only on a terminal (as ls, grep, pytest do), writes to stderr, redraws a progress line, exits 3. */
const TERMINAL_AWARE = [
  'import sys',
  'tty = sys.stdout.isatty()',
  "print(('\\033[31m' if tty else '') + 'isatty=%s' % tty + ('\\033[0m' if tty else ''), flush=True)",
  "sys.stderr.write('on stderr\\n'); sys.stderr.flush()",
  "for p in (10, 50, 100): sys.stdout.write('\\rprogress %d%%' % p); sys.stdout.flush()",
  'print()',
  'sys.exit(3)',
].join('\n');

describe('exec-track run --pty', () => {
  it('runs the command on a terminal: colours kept, isatty() true, stderr merged into stdout, \\r\\n and redraws stored as lines', async () => {
    const result = await runCli(['run', '-q', '--pty', '--', 'python3', '-c', TERMINAL_AWARE], { home: home.dir });
    expect(result.exitCode).toBe(3);
    expect(result.out).toContain('\x1b[31misatty=True\x1b[0m\r\n');
    expect(result.out).toContain('on stderr\r\n');
    expect(result.out).toContain('\rprogress 100%\r\n');
    expect(result.err).toBe('');
    const stored = await readLast(home.dir);
    expect(stored.execution).toMatchObject({ state: 'Execution crushed', exitCode: 3 });
    expect(stored.texts).toEqual(['stdout:isatty=True', 'stdout:on stderr', 'stdout:progress 100%']);
  });

  it('ends the command with SIGHUP when the reader of the output goes away (| head)', async () => {
    const pipeline = `"$0" "$1" run -q --pty -- yes | head -1; echo "wrapper \${PIPESTATUS[0]}"`;
    const out = execFileSync('bash', ['-c', pipeline, process.execPath, BIN], { env: cliEnv(home.dir), encoding: 'utf8', timeout: 30_000 });
    expect(out).toBe('y\r\nwrapper 129\n');
    const stored = await readLast(home.dir);
    expect(stored.execution).toMatchObject({ state: 'Execution crushed', exitCode: 129, signal: 'SIGHUP' });
  });

  it('classifies a command that cannot start as without --pty (127, Exec crushed)', async () => {
    const result = await runCli(['run', '-q', '--pty', '--', 'no-such-program-here'], { home: home.dir });
    expect(result.exitCode).toBe(127);
    expect((await readLast(home.dir)).execution).toMatchObject({ state: 'Exec crushed', exitCode: null });
  });

  it('refuses --pty with --foreground (exit 2)', async () => {
    const result = await runCli(['run', '--pty', '--foreground', '--', 'true'], { home: home.dir });
    expect(result.exitCode).toBe(2);
    expect(result.err).toContain("'--pty' cannot be used with option '--foreground'");
  });
});

let run: TmuxRun | undefined;

describe.runIf(HAS_TMUX)('exec-track run --pty in a real terminal (tmux)', () => {
  afterEach(() => run?.kill());

  it('turns Ctrl-C into exactly one SIGINT for the command and its grandchild, and gives the terminal back cooked', async () => {
    const log = join(home.dir, 'signals.log');
    run = startInTmux(home.dir, ['python3', join(FIXTURES, 'signal-counter.py'), log], ['--pty']);
    const grandchild = Number(await waitFor(() => /grandchild (\d+)/.exec(run!.pane())?.[1], 'the grandchild pid'));
    await waitFor(() => run!.pane().includes('ready'), 'ready in the pane');
    run.tmux('send-keys', '-t', 'run', 'C-c');
    expect(await run.exitCode()).toBe('130');
    expect(readFileSync(log, 'utf8')).toBe('SIGINT\n');
    await waitFor(() => !alive(grandchild), 'the grandchild to stop', 5000);
    expect(await run.sttyAfter()).toMatch(/(^|\s)icanon(\s|$)/);
    const stored = await readLast(home.dir);
    expect(stored.execution).toMatchObject({ state: 'Execution crushed', exitCode: 130 });
    // the command's terminal echoes the Ctrl-C, as any terminal does
    expect(stored.texts).toEqual([`stdout:grandchild ${grandchild}`, 'stdout:ready', 'stdout:^C']);
  });

  it('passes a keystroke through at once, without Enter (raw mode)', async () => {
    const script = [
      'import sys, termios, tty',
      "print('key?', flush=True)",
      'old = termios.tcgetattr(0)',
      'tty.setraw(0)',
      'c = sys.stdin.read(1)',
      'termios.tcsetattr(0, termios.TCSADRAIN, old)',
      "print('got ' + c)",
    ].join('\n');
    run = startInTmux(home.dir, ['python3', '-c', script], ['--pty']);
    await waitFor(() => run!.pane().includes('key?'), 'the prompt');
    run.tmux('send-keys', '-t', 'run', 'x');
    expect(await run.exitCode()).toBe('0');
    expect((await readLast(home.dir)).texts).toEqual(['stdout:key?', 'stdout:got x']);
  });

  it('forwards a window-size change: the command gets SIGWINCH and tput cols sees the new width', async () => {
    const script = "trap 'tput cols; exit 0' WINCH; tput cols; echo ready; while :; do sleep 0.05; done";
    run = startInTmux(home.dir, ['sh', '-c', script], ['--pty']);
    await waitFor(() => run!.pane().includes('ready'), 'ready in the pane');
    run.tmux('resize-window', '-t', 'run', '-x', '100', '-y', '30');
    expect(await run.exitCode()).toBe('0');
    expect((await readLast(home.dir)).texts).toEqual(['stdout:150', 'stdout:ready', 'stdout:100']);
  });
});
