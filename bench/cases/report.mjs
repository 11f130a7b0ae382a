import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BIN, cliEnv, timed } from '../lib/proc.mjs';
import { progress, repeat } from '../lib/context.mjs';
import { FORMATS } from '../lib/inputs.mjs';
import { makeRow } from '../lib/stats.mjs';

const EXECUTION_LINE = /execution (e_\S+) in session/;

/** `report <id> --lines n --json`, checked: the last `n` lines of a `total`-line plain execution. */
async function reportTail(home, id, n, total) {
  const r = await timed(process.execPath, [BIN, 'report', id, '--json', '--lines', String(n)], { env: cliEnv(home), capture: true });
  const { reports } = JSON.parse(r.stdout);
  const want = Math.min(n, total);
  const right = reports.length === want && reports.every((line, i) => line.seq === total - want + i && line.text === FORMATS.plain.js(total - want + i));
  return { ms: r.ms, error: right ? null : `report of ${id} returned ${reports.length} lines, not the last ${want} in order` };
}

/**
 * B6: `report <id> --lines 50 --json` on B2's 1 000 000-line execution vs a 10-line execution
 * added to the same store (so the ratio isolates the execution's size, not the store's).
 */
export async function b6(ctx, home) {
  const { reps, lines, reportLines } = ctx.size;
  const small = await timed(process.execPath, [BIN, 'run', '--', 'head', '-n', '10', ctx.inputs.plain], { env: cliEnv(home) });
  const smallId = EXECUTION_LINE.exec(small.stderr)[1];
  const db = new Database(join(home, 'exec-track.db'), { readonly: true });
  const largeId = db.prepare('SELECT id FROM executions WHERE line_count = ?').get(lines)?.id;
  db.close();
  progress(`B6: report --lines ${reportLines} --json, ${lines}-line vs 10-line execution ×${reps + 2}`);
  const base = await repeat(reps + 2, () => reportTail(home, smallId, reportLines, 10));
  const large = largeId ? await repeat(reps + 2, () => reportTail(home, largeId, reportLines, lines)) : { samples: [NaN], error: 'B2 execution not found' };
  const error = base.error ?? large.error;
  return makeRow({
    id: 'B6',
    what: `report --lines ${reportLines} --json, ${lines}-line execution`,
    unit: 'ms',
    target: 1.3,
    baselineSamples: base.samples,
    samples: large.samples,
    ok: !error,
    note: error,
  });
}
