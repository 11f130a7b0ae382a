import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, cliEnv, collect, runCli, tempHome } from '../helpers/cli.js';
import { soakSize } from '../helpers/soak.js';
import { readLast } from './run-helpers.js';

let home: { dir: string; cleanup: () => void };
beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

/** 200 000 lines here; 1 000 000 (the default line quota, filled exactly) in `npm run soak` (test/helpers/soak.ts). */
const LINES = soakSize(200_000, 1_000_000);

describe('exec-track run limits', () => {
  it(`stays under 150 MB RSS while storing ${LINES} lines`, { timeout: 240_000 }, async () => {
    const code = `import sys; w=sys.stdout.write; [w('i=%d loss=0.5\\n'%i) for i in range(${LINES})]`;
    // --sample off: each resource sample is a points record that takes a seq of the line quota, and
    // the soak size fills the quota exactly (docs/resources.md)
    // GNU time reports the peak RSS of the wrapper (the largest process it waited for)
    const child = spawn('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, BIN, 'run', '-q', '--sample', 'off', '--', 'python3', '-c', code], {
      env: cliEnv(home.dir),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const result = await collect(child, undefined, 230_000);
    expect(result.exitCode).toBe(0);
    const maxRssKb = Number(/maxrss=(\d+)/.exec(result.err)![1]);
    expect(maxRssKb).toBeLessThan(150 * 1024);
    const stored = await readLast(home.dir);
    expect(stored.execution).toMatchObject({ state: 'Passive', lineCount: LINES });
    expect(stored.lines[0]).toMatchObject({ seq: 0, text: 'i=0 loss=0.5' });
    expect(stored.lines.at(-1)).toMatchObject({ seq: LINES - 1, text: `i=${LINES - 1} loss=0.5` });
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

describe('run --line-quota (embedded store)', () => {
  it('keeps the first and last half of that many lines, with the quota marker, and every line with "all"', async () => {
    const run = await runCli(['run', '-q', '--line-quota', '10', '--', 'seq', '1', '30'], { home: home.dir });
    expect(run.exitCode).toBe(0);
    expect(run.out.split('\n').filter(Boolean)).toHaveLength(30);
    const stored = await readLast(home.dir);
    expect(stored.texts).toEqual([
      ...['1', '2', '3', '4', '5'].map((n) => `stdout:${n}`),
      'stderr:[exec-track: 20 lines dropped by the line quota]',
      ...['26', '27', '28', '29', '30'].map((n) => `stdout:${n}`),
    ]);
    expect((await runCli(['run', '-q', '--line-quota', 'all', '--', 'seq', '1', '30'], { home: home.dir })).exitCode).toBe(0);
    expect((await readLast(home.dir)).execution.lineCount).toBe(30);
  });

  it.each([
    [['--line-quota', 'lots'], /^exec-track: --line-quota expects a number of lines \(2 or more\) or "all", got "lots"\.\n$/, {}],
    [
      ['--line-quota', '10'],
      /^exec-track: --line-quota sets the embedded store's quota; the server http:\/\/127\.0\.0\.1:1 keeps as many lines as its `serve --line-quota` says\.\n$/,
      { EXEC_TRACK_SERVER: 'http://127.0.0.1:1' },
    ],
  ])('refuses %j before the command runs (exit 2)', async (args, message, env) => {
    const result = await runCli(['run', ...args, '--', 'echo', 'ran'], { home: home.dir, env });
    expect([result.exitCode, result.out]).toEqual([2, '']);
    expect(result.err).toMatch(message);
  });
});
