import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, cliEnv, collect, runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { soakSize } from '../helpers/soak.js';
import { waitFor } from './run-helpers.js';

const CLIENT = resolve(import.meta.dirname, '../../clients/python');
const PY = resolve(FIXTURES, 'python');
/** Debian's python3-ipykernel and python3-nbclient are visible to this interpreter only (.ci/run). */
const SYSTEM_PYTHON = '/usr/bin/python3';
/** Lines of the flood test: 20 000 here, 100 000 in `npm run soak` (test/helpers/soak.ts). */
const FLOOD = soakSize(20_000, 100_000);

interface Report {
  execution: { name: string; command: string[]; state: string; reason: string | null; signal: string | null; lineCount: number };
  reports: { stream: string; text: string }[];
  points: { key: string; step: number; value: number | string }[];
}

function pythonEnv(home: string, server?: string): NodeJS.ProcessEnv {
  return cliEnv(home, { EXEC_TRACK_BIN: `${process.execPath} ${BIN}`, PYTHONPATH: CLIENT, ...(server ? { EXEC_TRACK_SERVER: server } : {}) });
}

async function report(home: string, id: string, server?: string): Promise<Report> {
  const result = await runCli(['report', id, '--json', '--points', '--lines', 'all'], { home, env: server ? { EXEC_TRACK_SERVER: server } : {} });
  expect(result.err).toBe('');
  return JSON.parse(result.out) as Report;
}

const texts = (r: Report) => r.reports.map((l) => `${l.stream}:${l.text}`);

describe('the Python client unit tests', () => {
  it('pass (python3 -m unittest)', () => {
    const result = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], { cwd: CLIENT, encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).toMatch(/^OK$/m);
    expect(result.status).toBe(0);
  });
});

describe.each([
  ['embedded', false],
  ['against a server', true],
])('the Python client end to end, %s', (_mode, withServer) => {
  let home: { dir: string; cleanup: () => void };
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    home = tempHome();
    if (withServer) server = await startServer({ home: home.dir });
  });
  afterAll(async () => {
    await server?.stop();
    home.cleanup();
  });

  it('records a block, a decorated function, an exception and fd-level output of a subprocess', async () => {
    const ran = await collect(spawn('python3', [resolve(PY, 'blocks.py')], { env: pythonEnv(home.dir, server?.url), stdio: ['pipe', 'pipe', 'pipe'] }));
    expect(ran.exitCode).toBe(0);
    const printed = ran.out.trim().split('\n');
    // what the blocks print is shown unchanged
    expect(printed.slice(0, 5)).toEqual(['epoch=0 loss=1.0000', 'epoch=1 loss=0.5000', 'epoch=2 loss=0.3333', 'in train', 'before the error']);
    expect(ran.err).toContain('a warning\n');
    const ids = JSON.parse(printed.at(-1)!) as Record<'block' | 'error' | 'fd', string>;

    const block = await report(home.dir, ids.block, server?.url);
    expect(block.execution).toMatchObject({ name: 'fit', state: 'Passive', reason: null, lineCount: 4 });
    expect(block.execution.command.at(-1)).toMatch(/blocks\.py:9$/);
    expect(texts(block)).toEqual(['stdout:epoch=0 loss=1.0000', 'stdout:epoch=1 loss=0.5000', 'stdout:epoch=2 loss=0.3333', 'stderr:a warning']);
    // the explicit series beside the parsed one, stored alike
    expect(block.points.filter((p) => p.key === 'acc').map((p) => [p.step, p.value])).toEqual([
      [0, 0.5],
      [1, 0.6],
      [2, 0.7],
    ]);
    expect(block.points.filter((p) => p.key === 'loss').map((p) => p.value)).toEqual([1, 0.5, 0.3333]);

    const error = await report(home.dir, ids.error, server?.url);
    expect(error.execution).toMatchObject({ name: 'boom', state: 'Execution crushed', reason: 'ValueError: bad value 42' });
    expect(texts(error)[0]).toBe('stdout:before the error');
    expect(texts(error)[1]).toBe('stderr:Traceback (most recent call last):');
    expect(texts(error).at(-1)).toBe('stderr:ValueError: bad value 42');

    const fd = await report(home.dir, ids.fd, server?.url);
    expect(fd.execution.state).toBe('Passive');
    expect(texts(fd).sort()).toEqual(['stderr:its stderr', 'stdout:from a subprocess']);
  });

  // the client side is the same in both modes (the server path at this size: remote-reconnect, remote-backpressure)
  it.skipIf(withServer)(`keeps every line of a block that prints ${FLOOD} lines as fast as it can (nothing dropped)`, async () => {
    const code = [
      'import exec_track',
      'with exec_track.execution("flood", exit_wait=60) as ex:',
      `    for i in range(${FLOOD}): print(f"line {i} loss={1/(i+1):.6f}")`,
      // leaving the block does not wait for the sidecar; ex.wait() does
      'import sys; print(ex.id, ex.dropped, ex.wait(60), file=sys.stderr)',
    ].join('\n');
    const ran = await collect(spawn('python3', ['-c', code], { env: pythonEnv(home.dir, server?.url), stdio: ['pipe', 'pipe', 'pipe'] }));
    expect(ran.exitCode).toBe(0);
    const [id, dropped, state] = ran.err.trim().split('\n').at(-1)!.split(' ');
    expect([dropped, state]).toEqual(['0', 'Passive']);
    const flood = await report(home.dir, id!, server?.url);
    expect(flood.execution).toMatchObject({ state: 'Passive', lineCount: FLOOD });
    expect(flood.reports.at(-1)).toEqual(expect.objectContaining({ stream: 'stdout', text: `line ${FLOOD - 1} loss=${(1 / FLOOD).toFixed(6)}` }));
    // every line, once, in order
    expect(flood.reports.map((r) => r.text.split(' ')[1])).toEqual(Array.from({ length: FLOOD }, (_, i) => String(i)));
    expect(flood.points.filter((p) => p.key === 'loss')).toHaveLength(FLOOD);
  });

  it('records a Python process killed with SIGKILL as Exec crushed, keeping its lines and points', async () => {
    const child = spawn('python3', [resolve(PY, 'killed.py')], { env: pythonEnv(home.dir, server?.url), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const id = await waitFor(() => /id (e_\S+)/.exec(out)?.[1], 'the execution id');
    child.kill('SIGKILL');
    // the sidecar sees its stdin close and records the end; poll until it has
    let last = await report(home.dir, id, server?.url);
    for (const deadline = Date.now() + 20_000; last.execution.state === 'Running' && Date.now() < deadline;) {
      await sleep(100);
      last = await report(home.dir, id, server?.url);
    }
    expect(last.execution).toMatchObject({ name: 'doomed', state: 'Exec crushed', reason: 'the client vanished: its events ended without finish' });
    expect(texts(last!)).toEqual(['stdout:before the kill']);
    expect(last.points.map((p) => [p.key, p.value])).toEqual([['loss', 0.5]]);
  });
});

describe('a notebook run headless by nbclient', () => {
  let home: { dir: string; cleanup: () => void };
  beforeAll(() => (home = tempHome()));
  afterAll(() => home.cleanup());

  it('records its %%exec_track cell as one execution', async () => {
    const ran = await collect(
      spawn(SYSTEM_PYTHON, [resolve(PY, 'run_notebook.py'), resolve(PY, 'notebook.ipynb')], { env: pythonEnv(home.dir), stdio: ['pipe', 'pipe', 'pipe'] }),
      undefined,
      120_000,
    );
    expect(ran.err).not.toMatch(/Error/);
    expect(ran.exitCode).toBe(0);
    const outputs = JSON.parse(ran.out) as string[][];
    expect(outputs[1]!.join('')).toBe('step=0 loss=1.000\nstep=1 loss=0.500\nstep=2 loss=0.333\n');
    const doc = await report(home.dir, 'last');
    expect(doc.execution).toMatchObject({ name: 'notebook-cell', command: ['ipython', 'cell 2'], state: 'Passive', lineCount: 3 });
    expect(texts(doc)).toEqual(['stdout:step=0 loss=1.000', 'stdout:step=1 loss=0.500', 'stdout:step=2 loss=0.333']);
    expect(doc.points.filter((p) => p.key === 'loss').map((p) => p.value)).toEqual([1, 0.5, 0.333]);
  });
});
