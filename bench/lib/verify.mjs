import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { FORMATS } from './inputs.mjs';

/**
 * Checks that a SQLite database (embedded store or server db) holds, for every execution, exactly
 * `lines` report rows: seq 0..lines-1, each text the expected line for its seq (so every line once,
 * none duplicated, none altered), line_count agreeing, and `metricPoints` points when given. `warmups` executions named
 * `bench-warmup` (untimed first runs) are expected besides and not checked.
 * @returns {string|null} null when right, else one sentence saying what is wrong.
 */
export function verifyDb(path, { executions, lines, format = 'plain', metricPoints = null, warmups = 0 }) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        `SELECT e.id, e.name = 'bench-warmup' AS warmup, e.line_count AS lineCount, count(r.seq) AS n, min(r.seq) AS lo, max(r.seq) AS hi,
                count(DISTINCT r.text) AS texts, total(r.text = ${FORMATS[format].sql}) AS exact
           FROM executions e LEFT JOIN reports r ON r.exec = e.num GROUP BY e.num`,
      )
      .all();
    if (rows.length !== executions + warmups) return `expected ${executions + warmups} executions, found ${rows.length}`;
    const measured = rows.filter((r) => !r.warmup);
    if (measured.length !== executions) return `expected ${executions} measured executions, found ${measured.length}`;
    for (const r of measured) {
      const want = { n: lines, lo: lines ? 0 : null, hi: lines ? lines - 1 : null, texts: lines, exact: lines, lineCount: lines };
      const got = { n: r.n, lo: r.lo, hi: r.hi, texts: r.texts, exact: r.exact, lineCount: r.lineCount };
      if (JSON.stringify(want) !== JSON.stringify(got)) return `execution ${r.id}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
    }
    if (metricPoints !== null) {
      // the series summaries count every stored point, whatever layout the points themselves have
      const { points } = db.prepare('SELECT total(count) AS points FROM metric_series').get();
      if (points !== metricPoints * executions) return `expected ${metricPoints * executions} metric points, found ${points}`;
    }
    return null;
  } finally {
    db.close();
  }
}

/**
 * Checks that the one spooled execution under `home/spool` holds `lines` lines, seq 0..lines-1 in
 * order, each with the expected text (B7: the server was down, so the spool is the only copy).
 * @returns {Promise<string|null>} null when right, else what is wrong.
 */
export async function verifySpool(home, lines) {
  const root = join(home, 'spool');
  const dirs = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'lines.ndjson'))) : [];
  if (dirs.length !== 1) return `expected one spooled execution, found ${dirs.length}`;
  const input = createInterface({ input: createReadStream(join(root, dirs[0], 'lines.ndjson')), crlfDelay: Infinity });
  let next = 0;
  for await (const raw of input) {
    const line = JSON.parse(raw);
    if (line.seq !== next || line.text !== FORMATS.plain.js(next)) return `spool line ${next} is ${raw.slice(0, 120)}`;
    next++;
  }
  return next === lines ? null : `spool holds ${next} lines, expected ${lines}`;
}

/** Checks a file of captured output: exactly `lines` plain lines in order (the tsp reference). */
export async function verifyFlatFile(path, lines) {
  const input = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let next = 0;
  for await (const line of input) {
    if (line !== FORMATS.plain.js(next)) return `line ${next} of ${path} is ${line.slice(0, 120)}`;
    next++;
  }
  return next === lines ? null : `${path} holds ${next} lines, expected ${lines}`;
}
