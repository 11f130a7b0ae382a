import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { readLast, series } from './run-helpers.js';

const homes: { cleanup: () => void }[] = [];
let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  for (const home of homes.splice(0)) home.cleanup();
});

function home(): string {
  const h = tempHome();
  homes.push(h);
  return h.dir;
}

/** PATH with a fake nvidia-smi (test/fixtures/nvidia-smi/<kind>) first. */
const withGpu = (kind: 'real' | 'failing' | 'hanging') => ({ PATH: `${join(FIXTURES, 'nvidia-smi', kind)}:${process.env.PATH}` });
/** PATH without any nvidia-smi of this machine's. */
const noGpu = { PATH: '/usr/local/bin:/usr/bin:/bin' };

describe('run --sample: resource usage of the process tree', () => {
  it('records the peak resident memory of a grandchild that allocates 200 MB', async () => {
    const dir = home();
    const ran = await runCli(['run', '--sample', '200ms', '--', 'python3', join(FIXTURES, 'tree-memory.py')], { home: dir, env: noGpu });
    expect(ran.exitCode).toBe(0);
    const stored = await readLast(dir);
    expect(stored.execution.usage!.peakRssBytes).toBeGreaterThanOrEqual(200 * 1024 * 1024);
    expect(Math.max(...series(stored, 'sys/rss_bytes'))).toBeGreaterThanOrEqual(200 * 1024 * 1024);
    expect(ran.err).toMatch(/Passive after .* \(exit 0\) · peak 2\d\d\.\d MiB · CPU /);
  });

  it('samples a CPU-burning child as one busy core, and its CPU time in the usage', async () => {
    const dir = home();
    const ran = await runCli(['run', '--sample', '200ms', '--', 'python3', join(FIXTURES, 'burn-cpu.py'), '1.5'], { home: dir, env: noGpu });
    expect(ran.exitCode).toBe(0);
    const stored = await readLast(dir);
    const usage = stored.execution.usage!;
    // the child stops after 1.5 s of its own CPU time, so the total is at least that however loaded the
    // machine is, less the kernel's 10 ms tick rounding of user and system time (1490 was seen once)
    expect(usage.userCpuMs + usage.systemCpuMs).toBeGreaterThanOrEqual(1500 - 20);
    const points = stored.metrics.filter((p) => p.key === 'sys/cpu_pct');
    expect(points.length).toBeGreaterThan(1);
    // one single-threaded process: never more than one core (10 ms tick rounding aside)
    expect(Math.max(...points.map((p) => p.value))).toBeLessThanOrEqual(115);
    // the samples add up to the CPU time used until the last of them
    let sampledMs = 0;
    let previous = stored.execution.startedAt!;
    for (const p of points) {
      sampledMs += (p.value / 100) * (p.ts - previous);
      previous = p.ts;
    }
    expect(sampledMs).toBeGreaterThan(0.3 * 1500);
    expect(sampledMs).toBeLessThanOrEqual(usage.userCpuMs + usage.systemCpuMs + 100);
    expect(series(stored, 'sys/read_bytes').length).toBe(points.length);
    expect(series(stored, 'sys/write_bytes').length).toBe(points.length);
  });

  it('records nothing with --sample off, and a line cannot write sys/ metrics', async () => {
    const dir = home();
    const ran = await runCli(['run', '--sample', 'off', '--', 'sh', '-c', 'echo "sys/cpu_pct=5 loss=1"; sleep 0.3'], { home: dir, env: noGpu });
    expect(ran.exitCode).toBe(0);
    const stored = await readLast(dir);
    expect(stored.execution.usage).toBeNull();
    expect([...new Set(stored.metrics.map((p) => p.key))]).toEqual(['loss']);
    expect(ran.err).toMatch(/Passive after .* \(exit 0\)\n/);
  });

  it.each([['0'], ['50ms'], ['often']])('refuses --sample %s as a usage error before anything runs', async (value) => {
    const ran = await runCli(['run', '--sample', value, '--', 'true'], { home: home() });
    expect(ran.exitCode).toBe(2);
    expect(ran.err).toMatch(/^exec-track: --sample expects/);
  });
});

describe('run --sample: GPUs through nvidia-smi', () => {
  it('stores per-GPU series from nvidia-smi CSV, skipping fields it does not report', async () => {
    const dir = home();
    const ran = await runCli(['run', '--sample', '200ms', '--', 'sleep', '1'], { home: dir, env: withGpu('real') });
    expect(ran.exitCode).toBe(0);
    expect(ran.err).not.toMatch(/GPU/);
    const stored = await readLast(dir);
    const keys = new Set(stored.metrics.map((p) => p.key));
    for (const key of ['util_pct', 'mem_bytes', 'power_w', 'temp_c']) expect(keys).toContain(`sys/gpu0/${key}`);
    expect(keys).not.toContain('sys/gpu1/power_w');
    expect(series(stored, 'sys/gpu0/util_pct')[0]).toBe(87);
    expect(series(stored, 'sys/gpu0/mem_bytes')[0]).toBe(30512 * 1024 * 1024);
    expect(series(stored, 'sys/gpu0/power_w')[0]).toBe(251.34);
    expect(series(stored, 'sys/gpu1/temp_c')[0]).toBe(34);
  });

  it('notes a failing nvidia-smi once and runs the command as usual', async () => {
    const dir = home();
    const ran = await runCli(['run', '--sample', '200ms', '--', 'sh', '-c', 'sleep 0.5; exit 3'], { home: dir, env: withGpu('failing') });
    expect(ran.exitCode).toBe(3);
    expect(ran.err.match(/no GPU samples/g)).toHaveLength(1);
    const stored = await readLast(dir);
    expect(stored.metrics.some((p) => p.key.startsWith('sys/gpu'))).toBe(false);
    expect(stored.metrics.some((p) => p.key === 'sys/cpu_pct')).toBe(true);
  });

  it('is not held up by an nvidia-smi that hangs, and leaves it not running', async () => {
    const dir = home();
    const ran = await runCli(['run', '--sample', '200ms', '--', 'sleep', '0.5'], { home: dir, env: withGpu('hanging') });
    expect(ran.exitCode).toBe(0);
    const stored = await readLast(dir);
    expect(stored.execution.state).toBe('Passive');
    expect(stored.metrics.some((p) => p.key.startsWith('sys/gpu'))).toBe(false);
    const left = await runCli(['run', '--quiet', '--sample', 'off', '--', 'sh', '-c', 'pgrep -f "^sleep 600$" || true'], { home: dir });
    expect(left.out.trim()).toBe('');
  });
});

describe('run --sample in server mode', () => {
  it("streams the samples and the usage to the server, apart from the run's metrics in report --json", async () => {
    const dir = home();
    server = await startServer({ home: dir });
    const script = 'echo loss=0.5; sleep 1; echo loss=0.25';
    const ran = await runCli(['run', '--server', server.url, '--sample', '200ms', '--', 'sh', '-c', script], { home: dir, env: withGpu('real') });
    expect(ran.exitCode).toBe(0);
    expect(ran.err).toMatch(/· peak .* · CPU /);
    const doc = JSON.parse((await runCli(['report', 'last', '--json', '--server', server.url], { home: dir })).out);
    expect(Object.keys(doc.metrics)).toEqual(['loss']);
    expect(Object.keys(doc.resources)).toEqual(expect.arrayContaining(['sys/cpu_pct', 'sys/rss_bytes', 'sys/gpu0/util_pct']));
    expect(doc.resources['sys/gpu0/util_pct'].last).toBe(87);
    expect(doc.execution.usage).toMatchObject({ peakRssBytes: expect.any(Number), userCpuMs: expect.any(Number), systemCpuMs: expect.any(Number) });
    expect(doc.execution.usage.peakRssBytes).toBeGreaterThan(0);
  });
});
