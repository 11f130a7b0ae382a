import { join } from 'node:path';
import { BIN, cliEnv, settle, startServer, timed } from '../lib/proc.mjs';
import { freshDir, interleave, progress, repeat } from '../lib/context.mjs';
import { makeRow, skippedRow } from '../lib/stats.mjs';
import { missingNote } from '../lib/tools.mjs';
import { verifyDb, verifyFlatFile, verifyPostgres } from '../lib/verify.mjs';

/** The baseline of B2/B3/B3m/B5: the sqlite3 CLI importing `file` into a fresh table (one column). */
export async function sqliteImport(ctx, file) {
  const db = join(freshDir(ctx.root, 'sqlite'), 'import.db');
  await settle();
  const r = await timed('sqlite3', [db, 'CREATE TABLE t (line TEXT);', `.import ${file} t`]);
  const { stdout } = await timed('sqlite3', [db, 'SELECT count(*) FROM t;'], { capture: true });
  return { ms: r.ms, error: Number(stdout) === ctx.size.lines ? null : `sqlite3 imported ${stdout.trim()} rows` };
}

/**
 * `exec-track run --quiet [--server url] -- cat file` until it exits, then the stored lines checked.
 * `postgres`: a database URL the server runs on (B3pg) instead of a SQLite file.
 */
export async function runCat(ctx, file, { format = 'plain', metricPoints = null, server = false, postgres = null } = {}) {
  const home = freshDir(ctx.root, 'home');
  server ||= postgres !== null;
  const db = postgres ?? (server ? join(home, 'server.db') : join(home, 'exec-track.db'));
  const srv = server ? await startServer(home, db) : null;
  const target = srv ? ['--server', srv.url] : [];
  let r;
  try {
    // untimed first run: creates the store (and registers the user with the server), once per user
    await timed(process.execPath, [BIN, 'run', '--quiet', '--name', 'bench-warmup', ...target, '--', 'true'], { env: cliEnv(home) });
    await settle();
    // --sample off: a resource sample is a points record that takes a seq of the 1 000 000-line quota
    // (docs/resources.md), so a run slower than the 10 s interval would store 999 999 lines
    r = await timed(process.execPath, [BIN, 'run', '--quiet', '--sample', 'off', ...target, '--', 'cat', file], { env: cliEnv(home) });
  } finally {
    await srv?.stop();
  }
  const expected = { executions: 1, lines: ctx.size.lines, format, metricPoints, warmups: 1 };
  const error = postgres ? await verifyPostgres(postgres, expected) : await verifyDb(db, expected);
  return { ms: r.ms, error, home, db };
}

/** tsp (task-spooler) capturing `cat file` to its plain output file: the flat-file reference beside B2. */
async function tspCat(ctx, file) {
  const dir = freshDir(ctx.root, 'tsp');
  const env = { ...process.env, TS_SOCKET: join(dir, 'socket'), TMPDIR: dir, TS_MAXFINISHED: '10' };
  await settle();
  const started = performance.now();
  const { stdout } = await timed('tsp', ['cat', file], { env, capture: true });
  const id = stdout.trim();
  await timed('tsp', ['-w', id], { env, allowFail: true });
  const ms = performance.now() - started;
  const { stdout: out } = await timed('tsp', ['-o', id], { env, capture: true });
  await timed('tsp', ['-K'], { env, allowFail: true });
  return { ms, error: await verifyFlatFile(out.trim(), ctx.size.lines) };
}

/**
 * B2 (embedded), the tsp reference, B3 (through a local server) and B3m (metric lines, embedded),
 * each against the sqlite3 import of the same file measured in the same run. Returns the rows and
 * the home of the last B2 run (B6 reads its 1 000 000-line execution; undefined when B2 is skipped).
 * Rows whose program is missing (`ctx.tools`, bench/lib/tools.mjs) are skipped.
 */
export async function throughput(ctx) {
  const { throughputReps: reps, lines } = ctx.size;
  const plain = ctx.inputs.plain;
  const what = `${lines} lines`;
  const skip = (id, rowWhat, tool) => skippedRow({ id, what: rowWhat, unit: 'ms', note: missingNote(tool) });
  const rows = [];
  let lastHome;
  let base;
  if (ctx.tools.sqlite3) {
    // each figure's runs alternate with its baseline's, so both meet the same load on a shared machine
    progress(`B2: sqlite3 .import vs run -- cat (${lines} lines, embedded), alternating ×${reps}`);
    let b2;
    [base, b2] = await interleave(reps, [
      () => sqliteImport(ctx, plain),
      async () => {
        const r = await runCat(ctx, plain);
        lastHome = r.home;
        return r;
      },
    ]);
    ctx.importSamples = base.samples;
    rows.push(
      makeRow({
        id: 'B2',
        what: `run -- cat, ${what}, embedded`,
        unit: 'ms',
        target: 2.0,
        baselineSamples: base.samples,
        samples: b2.samples,
        ok: !base.error && !b2.error,
        note: base.error ?? b2.error,
      }),
    );
  } else rows.push(skip('B2', `run -- cat, ${what}, embedded`, 'sqlite3'));
  if (ctx.tools.tsp) {
    progress(`tsp reference ×${reps}`);
    const tsp = await repeat(reps, () => tspCat(ctx, plain));
    rows.push(
      makeRow({
        id: 'tsp',
        what: `tsp cat, ${what} (flat-file reference)`,
        unit: 'ms',
        target: null,
        baselineSamples: ctx.importSamples,
        samples: tsp.samples,
        ok: !tsp.error,
        note: tsp.error,
      }),
    );
  } else rows.push(skip('tsp', `tsp cat, ${what} (flat-file reference)`, 'tsp'));
  if (ctx.tools.sqlite3) {
    progress(`B3: run --server -- cat ×${reps}`);
    const b3 = await repeat(reps, () => runCat(ctx, plain, { server: true }));
    progress(`B3m: sqlite3 .import vs run -- cat (metric lines), alternating ×${reps}`);
    const [baseM, b3m] = await interleave(reps, [
      () => sqliteImport(ctx, ctx.inputs.metrics),
      () => runCat(ctx, ctx.inputs.metrics, { format: 'metrics', metricPoints: lines * 3 }),
    ]);
    rows.push(
      makeRow({
        id: 'B3',
        what: `run --server -- cat, ${what}`,
        unit: 'ms',
        target: 3.0,
        baselineSamples: base.samples,
        samples: b3.samples,
        ok: !base.error && !b3.error,
        note: b3.error,
      }),
      makeRow({
        id: 'B3m',
        what: `run -- cat, ${what} × 3 metrics`,
        unit: 'ms',
        target: 4.0,
        baselineSamples: baseM.samples,
        samples: b3m.samples,
        ok: !baseM.error && !b3m.error,
        note: baseM.error ?? b3m.error,
      }),
    );
  } else rows.push(skip('B3', `run --server -- cat, ${what}`, 'sqlite3'), skip('B3m', `run -- cat, ${what} × 3 metrics`, 'sqlite3'));
  return { rows, b2Home: lastHome };
}

/** An EXEC_TRACK_HOME holding one checked `run -- cat` of the plain input (B6's large execution when B2 did not run). */
export async function catHome(ctx) {
  const r = await runCat(ctx, ctx.inputs.plain);
  if (r.error) throw new Error(r.error);
  return r.home;
}
