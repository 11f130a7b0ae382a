import { newerSchemaError } from '../errors.js';
import { retryBusy, type Db } from './connection.js';

/**
 * Schema versions, applied in order; `PRAGMA user_version` records how many ran. Append only:
 * never edit a migration that has shipped.
 *
 * Layout notes (why): lines and metric points are stored in chunks, one row per ingest batch
 * (per series for points), not one row per line: 1 M lines become ~1 000 rows, so ingest costs
 * about what serialising the text costs (a row per line was 2x the `sqlite3 .import` baseline of
 * issue 6, a row per point 8x), and the tail of a huge execution is one index step back.
 * - `report_chunks`: the kept lines of one batch, in seq order: `seq_ts` float64 pairs (seq, ts)
 *   or, for gapless seqs, float64 first ts + int32 ts offsets (src/store/report-chunks.ts; told apart by length),
 *   `flags` one byte per line (bit 0 stderr, bit 1 partial, bit 2 truncated), `texts` a JSON array
 *   of the texts, raw-deflated into a BLOB (TEXT in older chunks), `byte_lengths` a JSON array of original byte lengths (null for lines not
 *   truncated) or NULL when none was. `first_seq`/`last_seq` bound the chunk.
 * - `metric_chunks`: the points of one series from one batch: float64 quadruples
 *   (step, seq, ts, value), or a compact column layout of odd length (point-chunks.ts); NaN survives (SQLite would turn a NaN REAL into NULL). `last_seq` is
 *   the seq of its last line, so a live follower reads only the chunks it has not seen.
 * - `metric_blocks` (v7): per point chunk (same id), min/max summaries of 64-point blocks.
 * Float64 blobs use the machine's byte order (little-endian on every platform Node ships for);
 * steps, seqs and ms timestamps are safe integers, which float64 holds exactly.
 * Children of executions are deleted by the store, not by foreign keys.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  );
  CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    owner_id TEXT
  );
  CREATE INDEX sessions_by_owner ON sessions (owner_id, created_at);
  CREATE INDEX sessions_by_title ON sessions (title, created_at);
  CREATE TABLE executions (
    num INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    name TEXT,
    command TEXT NOT NULL,
    cwd TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER,
    state TEXT NOT NULL,
    exit_code INTEGER,
    signal TEXT,
    reason TEXT,
    started_at INTEGER,
    ended_at INTEGER,
    last_seen_at INTEGER,
    metrics_enabled INTEGER NOT NULL,
    metrics_pattern TEXT,
    line_quota INTEGER NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT -1,
    line_count INTEGER NOT NULL DEFAULT 0,
    dropped INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX executions_by_session ON executions (session_id, started_at);
  CREATE INDEX executions_by_start ON executions (started_at);
  CREATE INDEX executions_running ON executions (state) WHERE state = 'Running';
  CREATE TABLE report_chunks (
    id INTEGER PRIMARY KEY,
    exec INTEGER NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    seq_ts BLOB NOT NULL,
    flags BLOB NOT NULL,
    texts TEXT NOT NULL,
    byte_lengths TEXT
  );
  CREATE UNIQUE INDEX report_chunks_by_seq ON report_chunks (exec, first_seq);
  CREATE TABLE metric_series (
    id INTEGER PRIMARY KEY,
    exec INTEGER NOT NULL,
    key TEXT NOT NULL,
    last REAL,
    min REAL,
    max REAL,
    count INTEGER NOT NULL,
    last_step INTEGER NOT NULL,
    UNIQUE (exec, key)
  );
  CREATE TABLE metric_chunks (
    id INTEGER PRIMARY KEY,
    exec INTEGER NOT NULL,
    series INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    points BLOB NOT NULL
  );
  CREATE INDEX metric_chunks_by_series ON metric_chunks (series, id);
  CREATE INDEX metric_chunks_by_seq ON metric_chunks (exec, last_seq);
  `,
  // v2: no table changes. Chunks may now hold deflated texts and the compact seq/ts and point
  // layouts (report-chunks.ts, point-chunks.ts), which a v1 build cannot read: the version bump
  // makes such builds (from v2 on) refuse the file instead of failing on those rows.
  `-- v2: compressed and compact chunk layouts`,
  // v3: `received_at`, when the store received the execution by its own clock (the server's, not the
  // wrapper's): ordering and retention use it (issue 9 point 4). Older rows get their start, or the
  // migration's time when their start is no time a Date can hold (8.64e15 ms).
  `
  ALTER TABLE executions ADD COLUMN received_at INTEGER;
  UPDATE executions SET received_at = CASE WHEN started_at BETWEEN 0 AND 8640000000000000 THEN started_at
    ELSE CAST(unixepoch('subsec') * 1000 AS INTEGER) END;
  DROP INDEX executions_by_session;
  CREATE INDEX executions_by_session ON executions (session_id, received_at);
  DROP INDEX executions_by_start;
  CREATE INDEX executions_by_received ON executions (received_at);
  `,
  // v4: what each output stream's metric parsing carries from one batch to the next (a step
  // header's step, an open table's columns; src/metrics/parse.ts StreamContext), as JSON
  // `{"stdout": {...}, "stderr": {...}}`; NULL until a line sets one.
  `ALTER TABLE executions ADD COLUMN metric_context TEXT;`,
  // v5 (issue 16): where the execution ran and what it used; NULL for executions stored before
  `
  ALTER TABLE executions ADD COLUMN context TEXT;
  ALTER TABLE executions ADD COLUMN peak_rss_bytes REAL;
  ALTER TABLE executions ADD COLUMN user_cpu_ms REAL;
  ALTER TABLE executions ADD COLUMN system_cpu_ms REAL;
  `,
  // v6 (issue 15): notification rules and the durable outbox (src/store/sqlite/notify.ts). `key` is
  // the event's idempotency key: one row per event and rule, whoever finds it first.
  `
  CREATE TABLE notify_rules (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    execution_id TEXT,
    channel TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    stall_after_ms INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX notify_rules_by_session ON notify_rules (session_id, created_at);
  CREATE TABLE notify_outbox (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    rule_id TEXT NOT NULL REFERENCES notify_rules (id) ON DELETE CASCADE,
    session_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    channel TEXT NOT NULL,
    url TEXT NOT NULL,
    headers TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    next_at INTEGER NOT NULL,
    lease_until INTEGER NOT NULL DEFAULT 0,
    last_status INTEGER,
    last_error TEXT,
    done_at INTEGER
  );
  CREATE INDEX notify_outbox_due ON notify_outbox (next_at) WHERE state = 'pending';
  CREATE INDEX notify_outbox_by_rule ON notify_outbox (rule_id, state);
  `,
  // v7 (issue 11, W1): a summary per point chunk (src/store/point-blocks.ts), kept apart from the
  // chunk so that reading it never reads the points. Chunks stored before, and chunks whose points
  // are out of step order, have none: a chart then reads their points (nothing to back-fill).
  `
  CREATE TABLE metric_blocks (
    chunk INTEGER PRIMARY KEY,
    exec INTEGER NOT NULL,
    blocks BLOB NOT NULL
  );
  CREATE INDEX metric_blocks_by_exec ON metric_blocks (exec);
  `,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the file to {@link SCHEMA_VERSION}. Safe when many processes open a fresh file at once:
 * the version is re-read inside a `BEGIN IMMEDIATE` transaction (one writer at a time), so each
 * migration runs exactly once; SQLITE_BUSY is retried.
 * @throws ExecTrackError `STORE_ERROR` for a file of a newer schema than this build's (it might hold rows this build cannot read).
 */
export function migrate(db: Db): void {
  if (checkVersion(db) === SCHEMA_VERSION) return;
  retryBusy(() => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const current = version(db);
      for (let v = current; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
      if (current < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  });
}

/**
 * The file's schema version, for a reader that cannot migrate (read-only).
 * @throws ExecTrackError `STORE_ERROR` for a file of a newer schema than this build's.
 */
export function checkVersion(db: Db): number {
  const found = version(db);
  if (found > SCHEMA_VERSION) {
    throw newerSchemaError(found, SCHEMA_VERSION);
  }
  return found;
}

function version(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}
