import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, cliEnv, collect, runCli, tempHome } from '../helpers/cli.js';
import { readLast } from './run-helpers.js';

let home: { dir: string; cleanup: () => void };
beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

describe('exec-track run limits', () => {
  it('stays under 150 MB RSS while storing 1 000 000 lines', { timeout: 240_000 }, async () => {
    const code = "import sys; w=sys.stdout.write; [w('i=%d loss=0.5\\n'%i) for i in range(1000000)]";
    // GNU time reports the peak RSS of the wrapper (the largest process it waited for)
    const child = spawn('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, BIN, 'run', '-q', '--', 'python3', '-c', code], {
      env: cliEnv(home.dir),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const result = await collect(child, undefined, 230_000);
    expect(result.exitCode).toBe(0);
    const maxRssKb = Number(/maxrss=(\d+)/.exec(result.err)![1]);
    expect(maxRssKb).toBeLessThan(150 * 1024);
    const stored = await readLast(home.dir);
    expect(stored.execution).toMatchObject({ state: 'Passive', lineCount: 1_000_000 });
    expect(stored.lines[0]).toMatchObject({ seq: 0, text: 'i=0 loss=0.5' });
  });

  it.each([
    { argv: ['yes'], lines: 1, first: ['y'] },
    { argv: ['seq', '1', '10000000'], lines: 1, first: ['1'] },
    { argv: ['sh', '-c', 'i=0; while :; do echo line $i; i=$((i+1)); done'], lines: 3, first: ['line 0', 'line 1', 'line 2'] },
  ])('lets $argv.0 behind | head meet the closed pipe as without the wrapper: killed by SIGPIPE, exit 141', async ({ argv, lines, first }) => {
    const quoted = [process.execPath, BIN, 'run', '-q', '--', ...argv].map((arg) => `'${arg}'`).join(' ');
    const child = spawn('bash', ['-c', `${quoted} | head -n ${lines}; echo "status=\${PIPESTATUS[0]}" >&2`], {
      env: cliEnv(home.dir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result = await collect(child, undefined, 30_000);
    expect(result.out).toBe(first.map((line) => `${line}\n`).join(''));
    // nothing else on stderr: no "Connection reset by peer" from the command, no stack from the wrapper
    expect(result.err).toBe('status=141\n');
    const stored = await readLast(home.dir);
    expect(stored.execution).toMatchObject({ state: 'Execution crushed', exitCode: 141, signal: 'SIGPIPE' });
    expect(stored.texts.slice(0, lines)).toEqual(first.map((line) => `stdout:${line}`));
  });

  it('gives the command real pipes: /dev/stdout and /dev/stderr can be opened as without the wrapper', async () => {
    const result = await runCli(['run', '-q', '--', 'sh', '-c', 'echo out > /dev/stdout; echo err > /dev/stderr'], { home: home.dir });
    expect(result.exitCode).toBe(0);
    expect(result.out).toBe('out\n');
    expect(result.err).toBe('err\n');
  });
});
