import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';

/** Mounts a 2 MiB tmpfs on `dir` (a real ENOSPC); false where mounting is not allowed (not root). */
function mountTinyDisk(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let home: ReturnType<typeof tempHome>;
let mounted = false;
beforeEach(() => {
  home = tempHome();
  mounted = mountTinyDisk(home.dir);
});
afterEach(() => {
  if (mounted) execFileSync('umount', [home.dir]);
  home.cleanup();
});

const LINES = 300_000;

describe('a full disk in embedded mode (2 MiB tmpfs as EXEC_TRACK_HOME)', () => {
  it('runs the command on, marks where storing stopped, records the real outcome and says so', async (ctx) => {
    if (!mounted) ctx.skip();
    // --sample off: a resource sample is a points record with a seq of its own, so with one the seq storing stopped at is no line count
    const r = await runCli(['run', '--sample', 'off', '--', 'python3', '-c', `for i in range(${LINES}): print(f"line {i} step={i} loss=0.5")`], {
      home: home.dir,
      timeoutMs: 120_000,
    });
    expect(r.exitCode).toBe(0);
    expect(r.out.split('\n')).toHaveLength(LINES + 1);
    const stop =
      /storing stopped at line (\d+) \(database or disk is full\): (\d+) lines from there on were not stored; recorded the outcome and a marker line where storing stopped\./.exec(
        r.err,
      );
    expect(stop, r.err).not.toBeNull();
    expect(r.err).not.toContain('could not record the outcome');
    expect(r.err).toMatch(/Passive after .* \(exit 0\)/);
    const [stoppedAt, dropped] = [Number(stop![1]), Number(stop![2])];
    expect(stoppedAt + dropped).toBe(LINES);

    // the reserve was given back, and `report` (on the still full disk: read-only) says what happened
    expect(readdirSync(home.dir).filter((f) => f.includes('reserve'))).toEqual([]);
    const report = await runCli(['report', 'last', '--json', '--lines', '2'], { home: home.dir });
    expect(report.exitCode, report.err).toBe(0);
    const { execution, reports } = JSON.parse(report.out);
    expect(execution).toMatchObject({ state: 'Passive', exitCode: 0, lineCount: stoppedAt + 1 });
    expect(execution.reason).toContain(`storing stopped at line ${stoppedAt}`);
    const [before, marker] = reports;
    expect(before).toMatchObject({ seq: stoppedAt - 1, text: `line ${stoppedAt - 1} step=${stoppedAt - 1} loss=0.5` });
    expect(marker).toMatchObject({ seq: stoppedAt, stream: 'stderr' });
    expect(marker.text).toContain(`${dropped} lines from there on were not stored`);
  }, 180_000);
});
