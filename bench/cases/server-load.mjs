import { join } from 'node:path';
import { BIN, cliEnv, peakRssMb, settle, startServer, timed } from '../lib/proc.mjs';
import { freshDir, progress, repeat } from '../lib/context.mjs';
import { makeRow, skippedRow } from '../lib/stats.mjs';
import { missingNote } from '../lib/tools.mjs';
import { verifyDb, verifyPostgres } from '../lib/verify.mjs';

/**
 * B5: `concurrent` simultaneous `run --server -- cat` of `linesEach` lines into one fresh server,
 * timed from the first spawn until the last wrapper exits (each exits once its lines are acked),
 * against B2's sqlite3 import time; B5f, for reference, times as many wrappers running `true` (no lines). B8: that server's peak RSS (VmHWM) over the whole of B5.
 */
export async function serverLoad(ctx) {
  const { reps, concurrent, linesEach } = ctx.size;
  progress(`B5/B8: ${concurrent} concurrent runs × ${linesEach} lines into one server ×${reps}`);
  const peaks = [];
  const floor = [];
  const b5 = await repeat(reps, async () => {
    const home = freshDir(ctx.root, 'b5');
    const db = join(home, 'server.db');
    const run = await concurrentRuns(ctx, home, [db], { floor, peaks });
    const error = await verifyDb(db, { executions: concurrent, lines: linesEach, warmups: 1 + concurrent });
    return { ms: run.ms, error: withSaid(error, run.said) };
  });
  const rows = [
    makeRow({
      id: 'B5',
      what: `${concurrent} concurrent runs × ${linesEach} lines, one server`,
      unit: 'ms',
      target: 2.5,
      baselineSamples: ctx.importSamples,
      samples: b5.samples,
      ok: !b5.error,
      note: b5.error,
    }),
    makeRow({
      id: 'B5f',
      what: `${concurrent} concurrent runs of true, one server (start-up floor)`,
      unit: 'ms',
      target: null,
      baselineSamples: ctx.importSamples,
      samples: floor,
      ok: true,
    }),
    makeRow({
      id: 'B8',
      what: 'server peak RSS during B5',
      unit: 'MB',
      target: 400,
      samples: peaks,
      ok: !b5.error && peaks.every((p) => p !== null),
      note: b5.error,
    }),
  ];
  // B5 and B5f are ratios to B2's sqlite3 import: without sqlite3 only B8 has a verdict
  return ctx.tools.sqlite3 ? rows : rows.map((row) => (row.id === 'B8' ? row : skippedRow({ ...row, note: missingNote('sqlite3') })));
}

/**
 * B5pg (issue 13): B5's runs spread over two `serve` instances sharing one PostgreSQL database (every
 * other wrapper to each), against the same sqlite3 import baseline; reported beside B5, no target.
 * `createDatabase` gives the URL of a fresh database.
 */
export async function serverLoadPostgres(ctx, createDatabase) {
  const { reps, concurrent, linesEach } = ctx.size;
  progress(`B5pg: ${concurrent} concurrent runs × ${linesEach} lines over 2 instances on PostgreSQL ×${reps}`);
  const b5pg = await repeat(reps, async () => {
    const url = await createDatabase();
    const run = await concurrentRuns(ctx, freshDir(ctx.root, 'b5pg'), [url, url], { floor: [], peaks: [] });
    // each instance registers the home's user once (its own warm-up run)
    const error = await verifyPostgres(url, { executions: concurrent, lines: linesEach, warmups: 2 + concurrent });
    return { ms: run.ms, error: withSaid(error, run.said) };
  });
  return makeRow({
    id: 'B5pg',
    what: `${concurrent} concurrent runs × ${linesEach} lines, 2 instances on PostgreSQL`,
    unit: 'ms',
    target: null,
    baselineSamples: ctx.importSamples,
    samples: b5pg.samples,
    ok: !b5pg.error,
    note: b5pg.error,
  });
}

/**
 * One server per entry of `dbs` (a SQLite file or a PostgreSQL URL; the same URL twice: two instances
 * of one database), an untimed warm-up run on each, the start-up floor (`concurrent` runs of `true`,
 * pushed to `floor`), then `concurrent` timed `run -- cat` spread over the servers in turn; each
 * server's peak RSS is pushed to `peaks`. Resolves with the timed ms and what a wrapper said, if anything.
 */
async function concurrentRuns(ctx, home, dbs, { floor, peaks }) {
  const { concurrent } = ctx.size;
  const servers = [];
  try {
    for (const db of dbs) servers.push(await startServer(home, db));
    const on = (i) => ['--server', servers[i % servers.length].url];
    // an untimed first run per server registers the user and the session, as a user's first run would
    for (let i = 0; i < servers.length; i++)
      await timed(process.execPath, [BIN, 'run', '--quiet', '--name', 'bench-warmup', ...on(i), '--', 'true'], { env: cliEnv(home) });
    // the floor: the same number of wrappers starting, connecting and finishing with no lines at all
    await settle();
    const emptyStart = performance.now();
    await Promise.all(
      Array.from({ length: concurrent }, (_, i) =>
        timed(process.execPath, [BIN, 'run', '--quiet', '--name', 'bench-warmup', ...on(i), '--', 'true'], { env: cliEnv(home) }),
      ),
    );
    floor.push(performance.now() - emptyStart);
    await settle();
    const started = performance.now();
    const done = await Promise.all(
      Array.from({ length: concurrent }, (_, i) =>
        timed(process.execPath, [BIN, 'run', '--quiet', ...on(i), '--', 'cat', ctx.inputs.each], { env: cliEnv(home) }),
      ),
    );
    const ms = performance.now() - started;
    for (const srv of servers) peaks.push(peakRssMb(srv.pid));
    return { ms, said: done.map((r) => r.stderr.trim()).find(Boolean) };
  } finally {
    await Promise.all(servers.map((srv) => srv.stop()));
  }
}

/** A wrong answer shows what the wrappers said (they exit 0 even when the server refused them). */
const withSaid = (error, said) => (error && said ? `${error}; a wrapper said: ${said.slice(0, 300)}` : error);
