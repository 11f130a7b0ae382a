import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, resolve } from 'node:path';
import { BIN, cliEnv, timed } from '../lib/proc.mjs';
import { freshDir, interleave, progress } from '../lib/context.mjs';
import { makeRow } from '../lib/stats.mjs';
import { verifyDb } from '../lib/verify.mjs';

const CLIENT = resolve(import.meta.dirname, '../../clients/python');

/**
 * P1 (issue 12's figure) and its companions: a Python block printing `pythonLines` lines (stdout →
 * /dev/null) inside `with exec_track.execution()` vs the same block untracked, runs alternating.
 * P1: the block's own time with Python's default buffering (P1c: the CPU time the Python process
 * spent in it, all threads; P1x: the untracked block beside one more busy process, the floor any
 * tracker with a process of its own pays on a busy machine); P1u, P1uc: the same
 * with `PYTHONUNBUFFERED=1` (both sides; a write(2) per print); P1w: the tracked process from spawn to
 * exit, which includes the interpreter's exit waiting (exit_wait 60 s here) until the sidecar has
 * stored every line, against the untracked process. Every tracked run is checked: one execution
 * holding exactly the lines printed.
 */
export async function pythonBlock(ctx) {
  const { pythonLines: lines, reps } = ctx.size;
  const script = ctx.inputs.block;
  const group = async (unbuffered) => {
    const home = freshDir(ctx.root, 'p1');
    const env = cliEnv(home, { PYTHONPATH: CLIENT, EXEC_TRACK_BIN: `${process.execPath} ${BIN}` });
    if (unbuffered) env.PYTHONUNBUFFERED = '1';
    else delete env.PYTHONUNBUFFERED;
    // the first run creates and migrates the store; users pay that once, so it is not timed
    await timed(process.execPath, [BIN, 'run', '--quiet', '--name', 'bench-warmup', '--', 'true'], { env });
    const walls = { bare: [], tracked: [] };
    const cpu = { bare: [], tracked: [] };
    /** One run of the block; its process wall and CPU time go to `walls[mode]`, `cpu[mode]` unless `aside`. */
    const once =
      (mode, aside = false) =>
      async (i) => {
        const elapsed = join(home, `elapsed-${mode}-${aside}-${i}`);
        const run = await timed('python3', [script, mode, String(lines), elapsed, '60'], { env });
        const [wall, cpuSeconds] = readFileSync(elapsed, 'utf8').split(' ').map(Number);
        if (!aside) {
          walls[mode].push(run.ms);
          cpu[mode].push(cpuSeconds * 1000);
        }
        return { ms: wall * 1000, error: null };
      };
    // the floor any sidecar pays: the untracked block beside one more busy process (a spinning node)
    const beside = async (i) => {
      const spinner = spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' });
      await sleep(100);
      try {
        return await once('bare', true)(i);
      } finally {
        spinner.kill('SIGKILL');
      }
    };
    const [bare, tracked, busy] = await interleave(reps, [once('bare'), once('tracked'), beside]);
    const error = await verifyDb(join(home, 'exec-track.db'), { executions: reps, lines, warmups: 1 });
    return { bare, tracked, busy, walls, cpu, error };
  };
  progress(`P1: python3 block of ${lines} printed lines, untracked vs tracked ×${reps}, default buffering then PYTHONUNBUFFERED=1`);
  const plain = await group(false);
  const unbuffered = await group(true);
  const row = (id, what, target, g, baseline, samples) =>
    makeRow({ id, what, unit: 'ms', target, baselineSamples: baseline, samples, ok: !g.error, note: g.error });
  return [
    row('P1', `python block, ${lines} prints (its own timer)`, 1.2, plain, plain.bare.samples, plain.tracked.samples),
    row('P1x', 'untracked block beside a busy process (floor)', null, plain, plain.bare.samples, plain.busy.samples),
    row('P1c', 'same, CPU time of the python process', null, plain, plain.cpu.bare, plain.cpu.tracked),
    row('P1u', 'same block, PYTHONUNBUFFERED=1', null, unbuffered, unbuffered.bare.samples, unbuffered.tracked.samples),
    row('P1uc', 'same, CPU time of the python process', null, unbuffered, unbuffered.cpu.bare, unbuffered.cpu.tracked),
    row('P1w', 'same as P1, process until all stored', null, plain, plain.walls.bare, plain.walls.tracked),
  ];
}
