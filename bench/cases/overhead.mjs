import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cliEnv, timed } from '../lib/proc.mjs';
import { freshDir, interleave, progress, repeat } from '../lib/context.mjs';
import { makeRow } from '../lib/stats.mjs';
import { verifyDb } from '../lib/verify.mjs';

/**
 * B1 (and its reference rows B1p, B1b): the loop time a python3 child reports for printing `lines` lines, wrapped (exec-track's stdout
 * to /dev/null) vs bare (stdout to /dev/null). The bare run gets PYTHONUNBUFFERED=1 as the wrapped
 * child does (DESIGN §4), so the ratio is the cost of tracking, not of Python's buffering mode.
 */
export async function b1(ctx) {
  const { reps, lines } = ctx.size;
  const script = ctx.inputs.loop;
  const loopMs = (file) => Number(readFileSync(file, 'utf8')) * 1000;
  progress(`B1: python3 loop of ${lines} lines, bare vs wrapped ×${reps}`);
  const bare = await repeat(reps, async () => {
    const dir = freshDir(ctx.root, 'b1');
    await timed('python3', [script, String(lines), join(dir, 'elapsed')], { env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    return { ms: loopMs(join(dir, 'elapsed')), error: null };
  });
  // reference points: the same loop into a pipe read by cat (the pass-through floor any wrapper pays),
  // and bare with Python's default block buffering (what the child does without PYTHONUNBUFFERED)
  const loopVia = (shell, env) =>
    // reference points only: one run fewer keeps the full run inside its 5 minutes
    repeat(Math.max(1, reps - 1), async () => {
      const dir = freshDir(ctx.root, 'b1');
      await timed('sh', ['-c', shell, 'sh', script, String(lines), join(dir, 'elapsed')], { env });
      return { ms: loopMs(join(dir, 'elapsed')), error: null };
    });
  const pipe = await loopVia('python3 "$1" "$2" "$3" | cat > /dev/null', { ...process.env, PYTHONUNBUFFERED: '1' });
  const buffered = await loopVia('python3 "$1" "$2" "$3" > /dev/null', withoutUnbuffered());
  const wrapped = await repeat(reps, async () => {
    const home = freshDir(ctx.root, 'b1');
    await timed(process.execPath, [BIN, 'run', '--quiet', '--', 'python3', script, String(lines), join(home, 'elapsed')], { env: cliEnv(home) });
    return { ms: loopMs(join(home, 'elapsed')), error: await verifyDb(join(home, 'exec-track.db'), { executions: 1, lines }) };
  });
  return [
    makeRow({
      id: 'B1',
      what: `python3 loop, ${lines} lines (its own timer)`,
      unit: 'ms',
      target: 1.1,
      baselineSamples: bare.samples,
      samples: wrapped.samples,
      ok: !wrapped.error,
      note: wrapped.error,
    }),
    makeRow({
      id: 'B1p',
      what: 'same loop | cat > /dev/null (pipe floor)',
      unit: 'ms',
      target: null,
      baselineSamples: bare.samples,
      samples: pipe.samples,
      ok: true,
    }),
    makeRow({
      id: 'B1b',
      what: 'same loop bare, Python block-buffered',
      unit: 'ms',
      target: null,
      baselineSamples: bare.samples,
      samples: buffered.samples,
      ok: true,
    }),
  ];
}

function withoutUnbuffered() {
  const env = { ...process.env };
  delete env.PYTHONUNBUFFERED;
  return env;
}

/** B4: `run --quiet -- true` start to exit in embedded mode (existing store) vs `node -e 0`. */
export async function b4(ctx) {
  const reps = ctx.size.startReps;
  const home = freshDir(ctx.root, 'b4');
  const env = cliEnv(home);
  // the first run creates and migrates the store; users pay that once, so it is not timed
  await timed(process.execPath, [BIN, 'run', '--quiet', '--name', 'bench-warmup', '--', 'true'], { env });
  progress(`B4: run --quiet -- true vs node -e 0 ×${reps}`);
  // alternating, as the other ratios are: a start is short enough for the machine's load to drift between two blocks of them
  const [base, runs] = await interleave(reps, [
    () => timed(process.execPath, ['-e', '0']).then((r) => ({ ms: r.ms, error: null })),
    () => timed(process.execPath, [BIN, 'run', '--quiet', '--', 'true'], { env }).then((r) => ({ ms: r.ms, error: null })),
  ]);
  const error = await verifyDb(join(home, 'exec-track.db'), { executions: reps, lines: 0, warmups: 1 });
  return makeRow({
    id: 'B4',
    what: 'run --quiet -- true, start to exit',
    unit: 'ms',
    target: 1.8,
    baselineSamples: base.samples,
    samples: runs.samples,
    ok: !error,
    note: error,
  });
}
