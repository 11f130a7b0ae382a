import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Sizes of a full run (issue 6) and of `--quick` (a smoke run of the harness in well under 30 s,
 * never a verdict on speed). `reps` runs per figure, `throughputReps` for B2/tsp/B3/B3m (a few seconds
 * each, and the noisiest), `startReps` for the short B4 runs.
 */
export const SIZES = {
  full: { lines: 1_000_000, pythonLines: 100_000, concurrent: 16, linesEach: 62_500, reps: 3, throughputReps: 5, startReps: 7, reportLines: 50 },
  quick: { lines: 20_000, pythonLines: 20_000, concurrent: 4, linesEach: 5_000, reps: 1, throughputReps: 1, startReps: 3, reportLines: 50 },
};

/** A fresh directory under `root` (each run gets its own EXEC_TRACK_HOME or database). */
export function freshDir(root, prefix) {
  return mkdtempSync(join(root, `${prefix}-`));
}

/** Progress on stderr so stdout carries only the table. */
export function progress(message) {
  process.stderr.write(`bench: ${message}\n`);
}

/**
 * Runs `once(i)` `reps` times and gathers its results; the first failed check is kept, so a wrong
 * answer marks the whole figure wrong however fast it was.
 * @param {(i: number) => Promise<{ms: number, error: string|null}>} once
 */
export async function repeat(reps, once) {
  const [result] = await interleave(reps, [once]);
  return result;
}

/**
 * Runs each of `tasks` once per round, `reps` rounds (A B A B …), so that a baseline and what it
 * is compared with meet the same machine load; returns one {@link repeat}-shaped result per task.
 * @param {Array<(i: number) => Promise<{ms: number, error: string|null}>>} tasks
 */
export async function interleave(reps, tasks) {
  const results = tasks.map(() => ({ samples: [], error: null }));
  for (let i = 0; i < reps; i++) {
    for (const [t, task] of tasks.entries()) {
      const r = await task(i);
      results[t].samples.push(r.value ?? r.ms);
      results[t].error ??= r.error;
    }
  }
  return results;
}
