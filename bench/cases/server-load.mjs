import { join } from 'node:path';
import { BIN, cliEnv, peakRssMb, settle, startServer, timed } from '../lib/proc.mjs';
import { freshDir, progress, repeat } from '../lib/context.mjs';
import { makeRow, skippedRow } from '../lib/stats.mjs';
import { missingNote } from '../lib/tools.mjs';
import { verifyDb } from '../lib/verify.mjs';

/**
 * B5: `concurrent` simultaneous `run --server -- cat` of `linesEach` lines into one fresh server,
 * timed from the first spawn until the last wrapper exits (each exits once its lines are acked),
 * against B2's sqlite3 import time; B5f, for reference, times as many wrappers running `true` (no lines). B8: that server's peak RSS (VmHWM) over the whole of B5.
 */
export async function serverLoad(ctx) {
  const { reps, concurrent, linesEach } = ctx.size;
  const file = ctx.inputs.each;
  progress(`B5/B8: ${concurrent} concurrent runs × ${linesEach} lines into one server ×${reps}`);
  const peaks = [];
  const floor = [];
  const b5 = await repeat(reps, async () => {
    const home = freshDir(ctx.root, 'b5');
    const db = join(home, 'server.db');
    const srv = await startServer(home, db);
    let done;
    let ms;
    try {
      // an untimed first run registers the user and the session, as a user's first run would
      await timed(process.execPath, [BIN, 'run', '--quiet', '--name', 'bench-warmup', '--server', srv.url, '--', 'true'], { env: cliEnv(home) });
      // the floor: the same number of wrappers starting, connecting and finishing with no lines at all
      await settle();
      const emptyStart = performance.now();
      await Promise.all(Array.from({ length: concurrent }, () => timed(process.execPath, [BIN, 'run', '--quiet', '--name', 'bench-warmup', '--server', srv.url, '--', 'true'], { env: cliEnv(home) })));
      floor.push(performance.now() - emptyStart);
      await settle();
      const started = performance.now();
      const runs = Array.from({ length: concurrent }, () =>
        timed(process.execPath, [BIN, 'run', '--quiet', '--server', srv.url, '--', 'cat', file], { env: cliEnv(home) }),
      );
      done = await Promise.all(runs);
      ms = performance.now() - started;
      peaks.push(peakRssMb(srv.pid));
    } finally {
      await srv.stop();
    }
    const error = await verifyDb(db, { executions: concurrent, lines: linesEach, warmups: 1 + concurrent });
    // a wrong answer shows what the wrappers said (they exit 0 even when the server refused them)
    const said = done.map((r) => r.stderr.trim()).find(Boolean);
    return { ms, error: error && said ? `${error}; a wrapper said: ${said.slice(0, 300)}` : error };
  });
  const rows = [
    makeRow({ id: 'B5', what: `${concurrent} concurrent runs × ${linesEach} lines, one server`, unit: 'ms', target: 2.5, baselineSamples: ctx.importSamples, samples: b5.samples, ok: !b5.error, note: b5.error }),
    makeRow({ id: 'B5f', what: `${concurrent} concurrent runs of true, one server (start-up floor)`, unit: 'ms', target: null, baselineSamples: ctx.importSamples, samples: floor, ok: true }),
    makeRow({ id: 'B8', what: 'server peak RSS during B5', unit: 'MB', target: 400, samples: peaks, ok: !b5.error && peaks.every((p) => p !== null), note: b5.error }),
  ];
  // B5 and B5f are ratios to B2's sqlite3 import: without sqlite3 only B8 has a verdict
  return ctx.tools.sqlite3 ? rows : rows.map((row) => (row.id === 'B8' ? row : skippedRow({ ...row, note: missingNote('sqlite3') })));
}
