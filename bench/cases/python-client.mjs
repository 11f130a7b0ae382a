import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BIN, cliEnv, timed } from '../lib/proc.mjs';
import { freshDir, interleave, progress } from '../lib/context.mjs';
import { makeRow } from '../lib/stats.mjs';
import { verifyDb } from '../lib/verify.mjs';

const CLIENT = resolve(import.meta.dirname, '../../clients/python');

/**
 * P1 (issue 12's figure) and its companions: a Python block printing `pythonLines` lines (stdout →
 * /dev/null) inside `with exec_track.execution()` vs the same block untracked, runs alternating.
 * P1: the block's own time with Python's default buffering; P1u: the same with
 * `PYTHONUNBUFFERED=1` (both sides; a write(2) per print); P1w: the tracked process from spawn to
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
    const once = (mode) => async (i) => {
      const elapsed = join(home, `elapsed-${mode}-${i}`);
      const run = await timed('python3', [script, mode, String(lines), elapsed, '60'], { env });
      walls[mode].push(run.ms);
      return { ms: Number(readFileSync(elapsed, 'utf8')) * 1000, error: null };
    };
    const [bare, tracked] = await interleave(reps, [once('bare'), once('tracked')]);
    const error = await verifyDb(join(home, 'exec-track.db'), { executions: reps, lines, warmups: 1 });
    return { bare, tracked, walls, error };
  };
  progress(`P1: python3 block of ${lines} printed lines, untracked vs tracked ×${reps}, default buffering then PYTHONUNBUFFERED=1`);
  const plain = await group(false);
  const unbuffered = await group(true);
  const row = (id, what, target, g, baseline, samples) =>
    makeRow({ id, what, unit: 'ms', target, baselineSamples: baseline, samples, ok: !g.error, note: g.error });
  return [
    row('P1', `python block, ${lines} prints (its own timer)`, 1.2, plain, plain.bare.samples, plain.tracked.samples),
    row('P1u', 'same block, PYTHONUNBUFFERED=1', null, unbuffered, unbuffered.bare.samples, unbuffered.tracked.samples),
    row('P1w', 'same as P1, process until all stored', null, plain, plain.walls.bare, plain.walls.tracked),
  ];
}
