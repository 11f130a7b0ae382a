import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { openStore } from '../../dist/store/open.js';
import { openPostgresStore } from '../../dist/store/postgres/open.js';
import { FORMATS } from './inputs.mjs';

/** Lines read per page while checking an execution. */
const PAGE = 100_000;

/**
 * Checks that a store (embedded db or server db) holds, for every execution, exactly `lines` lines:
 * seq 0..lines-1 in order, each with the expected text for its seq (so every line once, none
 * duplicated, none altered), `lineCount` agreeing, and `metricPoints` points per execution when given.
 * Lines are read through the product's own Store (dist/store/open.js), so the check holds whatever
 * row layout the store uses. `warmups` executions named `bench-warmup` (untimed first runs) are
 * expected besides and not checked.
 * @returns {Promise<string|null>} null when right, else one sentence saying what is wrong.
 */
export async function verifyDb(path, expected) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const all = db.prepare("SELECT id, name IS 'bench-warmup' AS warmup FROM executions").all();
  db.close();
  const store = await openStore(path);
  try {
    return await verifyExecutions(store, all, expected);
  } finally {
    await store.close();
  }
}

/** {@link verifyDb} for a PostgreSQL store at `url` (B3pg). */
export async function verifyPostgres(url, expected) {
  const store = await openPostgresStore(url);
  try {
    const all = (await store.pool.query("SELECT id, name IS NOT DISTINCT FROM 'bench-warmup' AS warmup FROM executions")).rows;
    return await verifyExecutions(store, all, expected);
  } finally {
    await store.close();
  }
}

/** The checks of {@link verifyDb} on an open store whose executions are `all` (`{id, warmup}`). */
async function verifyExecutions(store, all, { executions, lines, format = 'plain', metricPoints = null, warmups = 0 }) {
  if (all.length !== executions + warmups) return `expected ${executions + warmups} executions, found ${all.length}`;
  const measured = all.filter((e) => !e.warmup);
  if (measured.length !== executions) return `expected ${executions} measured executions, found ${measured.length}`;
  for (const { id } of measured) {
    const { lineCount } = await store.getExecution(id);
    if (lineCount !== lines) return `execution ${id} counts ${lineCount} lines, expected ${lines}`;
    let next = 0;
    for (;;) {
      const page = await store.readReports(id, { after: next - 1, limit: PAGE });
      for (const line of page) {
        if (line.seq !== next || line.text !== FORMATS[format].js(next)) return `execution ${id}: line ${next} is seq ${line.seq} "${line.text.slice(0, 80)}"`;
        next++;
      }
      if (page.length < PAGE) break;
    }
    if (next !== lines) return `execution ${id} holds ${next} lines, expected ${lines}`;
    if (metricPoints !== null) {
      const points = Object.values(await store.metricSummary(id)).reduce((sum, m) => sum + m.count, 0);
      if (points !== metricPoints) return `execution ${id} holds ${points} metric points, expected ${metricPoints}`;
    }
  }
  return null;
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
