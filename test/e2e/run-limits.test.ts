import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, cliEnv, collect, tempHome } from '../helpers/cli.js';
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

  it('never crashes when its reader goes away (| head) and lets the command meet the closed pipe', async () => {
    const child = spawn('sh', ['-c', `'${process.execPath}' '${BIN}' run -q -- sh -c 'i=0; while :; do echo line $i; i=$((i+1)); done' | head -n 3`], {
      env: cliEnv(home.dir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result = await collect(child, undefined, 30_000);
    expect(result.out.startsWith('line 0\nline 1\nline 2\n')).toBe(true);
    expect(result.err).not.toMatch(/Error|at .*\.js/);
    const stored = await readLast(home.dir);
    expect(stored.execution.state).toBe('Execution crushed');
    expect(stored.texts.slice(0, 3)).toEqual(['stdout:line 0', 'stdout:line 1', 'stdout:line 2']);
  });
});
