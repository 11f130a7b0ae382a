import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliEnv, runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';

const LINES = 12_345;
const PRINT = `import sys\nw = sys.stdout.write\nfor i in range(${LINES}): w(f"line {i} loss={1 / (i + 1):.6f}\\n")`;

let home: { dir: string; cleanup: () => void };
let server: ServerProcess;
beforeAll(async () => {
  home = tempHome();
  server = await startServer({ home: home.dir });
  for (const where of [[], ['--server', server.url]]) {
    expect((await runCli(['run', '--quiet', ...where, '--', 'python3', '-c', PRINT], { home: home.dir })).exitCode).toBe(0);
  }
});
afterAll(async () => {
  await server.stop();
  home.cleanup();
});

describe.each([
  ['the embedded store', [] as string[]],
  ['a server', ['--server']],
])('a report bigger than one page from %s', (_, flag) => {
  const report = (args: string[]) => runCli(['report', 'last', ...args, ...(flag.length ? [...flag, server.url] : [])], { home: home.dir });

  it('reads every line in seq order with --lines all', async () => {
    const doc = JSON.parse((await report(['--json', '--lines', 'all'])).out);
    expect(doc.reports).toHaveLength(LINES);
    expect(doc.reports.every((r: { seq: number; text: string }, i: number) => r.seq === i && r.text.startsWith(`line ${i} `))).toBe(true);
    expect(doc.metrics.loss.count).toBe(LINES);
  });

  it('reads exactly the last n lines when n spans pages', async () => {
    const doc = JSON.parse((await report(['--json', '--lines', '7000'])).out);
    expect(doc.reports.map((r: { seq: number }) => r.seq)).toEqual(Array.from({ length: 7000 }, (_, i) => LINES - 7000 + i));
  });

  it('prints the text view of all lines and draws a chart of a metric', async () => {
    const result = await report(['--lines', 'all', '--chart', 'loss']);
    expect(result.exitCode).toBe(0);
    expect(result.out).toContain(`loss: ${LINES} points`);
    expect(result.out).toMatch(/┤/);
    expect(result.out.trimEnd().split('\n').at(-1)).toBe(`│ line ${LINES - 1} loss=${(1 / LINES).toFixed(6)}`);
  });

  it('answers a --chart key the execution does not have with exit 1', async () => {
    const result = await report(['--chart', 'accuracy']);
    expect(result.exitCode).toBe(1);
    expect(result.err).toContain('No metric "accuracy"');
  });
});

describe('report into a pipe that closes early', () => {
  it('stops quietly when the reader goes away (| head)', () => {
    const result = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" report last --lines all | head -n 1`], {
      env: cliEnv(home.dir),
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Execution e_/);
    expect(result.stderr).toBe('');
  });
});
