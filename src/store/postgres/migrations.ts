import { newerSchemaError } from '../errors.js';
import { transaction, type Pool } from './connection.js';

/**
 * Schema versions of the PostgreSQL store, applied in order; `exec_track_schema.version` records
 * how many ran. Append only: never edit a migration that has shipped.
 *
 * The layout is SQLite's (src/store/sqlite/migrations.ts, DESIGN §8 "Storage layout"): lines and
 * metric points in chunks, one row per ingest batch (per series for points) holding the blobs of
 * src/store/report-chunks.ts and src/store/point-chunks.ts, never a row per line or per point
 * (MLflow's row-per-point table grew an 11 GiB primary-key index, mlflow#3785). Differences:
 * - children reference their parent with ON DELETE CASCADE, so a purge is one DELETE per session;
 * - `double precision` keeps NaN and ±Infinity, so the summary columns hold them as given;
 * - `rate_windows` is the per-IP request counter shared by every instance (src/server/shared/),
 *   UNLOGGED (counters need no crash safety) and keyed by an HMAC of the IP, never the IP.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    id text PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    created_at bigint NOT NULL,
    last_seen_at bigint NOT NULL
  );
  CREATE TABLE secrets (name text PRIMARY KEY, value text NOT NULL);
  CREATE TABLE sessions (
    id text PRIMARY KEY,
    num bigint GENERATED ALWAYS AS IDENTITY,
    title text NOT NULL,
    created_at bigint NOT NULL,
    owner_id text
  );
  CREATE INDEX sessions_by_owner ON sessions (owner_id, created_at);
  CREATE INDEX sessions_by_title ON sessions (title, created_at);
  CREATE TABLE executions (
    num bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    name text,
    command text NOT NULL,
    cwd text NOT NULL,
    host text NOT NULL,
    pid bigint,
    state text NOT NULL,
    exit_code bigint,
    signal text,
    reason text,
    started_at bigint,
    ended_at bigint,
    last_seen_at bigint,
    received_at bigint NOT NULL,
    metrics_enabled boolean NOT NULL,
    metrics_pattern text,
    metric_context text,
    line_quota bigint NOT NULL,
    last_seq bigint NOT NULL DEFAULT -1,
    line_count bigint NOT NULL DEFAULT 0,
    dropped bigint NOT NULL DEFAULT 0,
    context text,
    peak_rss_bytes double precision,
    user_cpu_ms double precision,
    system_cpu_ms double precision
  );
  CREATE INDEX executions_by_session ON executions (session_id, received_at);
  CREATE INDEX executions_by_received ON executions (received_at);
  CREATE INDEX executions_running ON executions (last_seen_at) WHERE state = 'Running';
  CREATE TABLE report_chunks (
    exec bigint NOT NULL REFERENCES executions (num) ON DELETE CASCADE,
    first_seq bigint NOT NULL,
    last_seq bigint NOT NULL,
    seq_ts bytea NOT NULL,
    flags bytea NOT NULL,
    texts bytea NOT NULL,
    byte_lengths text,
    PRIMARY KEY (exec, first_seq)
  );
  CREATE TABLE metric_series (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    exec bigint NOT NULL REFERENCES executions (num) ON DELETE CASCADE,
    key text NOT NULL,
    last double precision,
    min double precision,
    max double precision,
    count bigint NOT NULL,
    last_step bigint NOT NULL,
    UNIQUE (exec, key)
  );
  CREATE TABLE metric_chunks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    exec bigint NOT NULL,
    series bigint NOT NULL REFERENCES metric_series (id) ON DELETE CASCADE,
    last_seq bigint NOT NULL,
    points bytea NOT NULL
  );
  CREATE INDEX metric_chunks_by_series ON metric_chunks (series, id);
  CREATE INDEX metric_chunks_by_seq ON metric_chunks (exec, last_seq);
  CREATE UNLOGGED TABLE rate_windows (
    key text NOT NULL,
    window_start bigint NOT NULL,
    count bigint NOT NULL,
    PRIMARY KEY (key, window_start)
  );
  `,
  // v2 (issue 15): notification rules and the durable outbox, as in SQLite's v6 (src/store/postgres/notify.ts)
  `
  CREATE TABLE notify_rules (
    num bigserial UNIQUE,
    id text PRIMARY KEY,
    session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    execution_id text,
    channel text NOT NULL,
    url text NOT NULL,
    events text NOT NULL,
    stall_after_ms bigint NOT NULL,
    created_at bigint NOT NULL
  );
  CREATE INDEX notify_rules_by_session ON notify_rules (session_id, created_at);
  CREATE TABLE notify_outbox (
    id bigserial PRIMARY KEY,
    key text NOT NULL UNIQUE,
    rule_id text NOT NULL REFERENCES notify_rules (id) ON DELETE CASCADE,
    session_id text NOT NULL,
    kind text NOT NULL,
    state text NOT NULL,
    channel text NOT NULL,
    url text NOT NULL,
    headers text NOT NULL,
    body text NOT NULL,
    attempts bigint NOT NULL DEFAULT 0,
    created_at bigint NOT NULL,
    next_at bigint NOT NULL,
    lease_until bigint NOT NULL DEFAULT 0,
    last_status bigint,
    last_error text,
    done_at bigint
  );
  CREATE INDEX notify_outbox_due ON notify_outbox (next_at) WHERE state = 'pending';
  CREATE INDEX notify_outbox_by_rule ON notify_outbox (rule_id, state);
  `,
  // v3 (issue 11, W1): a summary per point chunk, as in SQLite's v7 (src/store/point-blocks.ts);
  // chunks stored before, or out of step order, have none and a chart reads their points.
  `
  CREATE TABLE metric_blocks (
    chunk bigint PRIMARY KEY REFERENCES metric_chunks (id) ON DELETE CASCADE,
    blocks bytea NOT NULL
  );
  `,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Key of the transaction-level advisory lock that serialises migrations (any constant unique to exec-track). */
const MIGRATION_LOCK = 0x65786563;

/**
 * Brings the database to {@link SCHEMA_VERSION} in one transaction under `pg_advisory_xact_lock`:
 * instances that start at once on an empty database queue on the lock, the first one migrates and
 * the others then find the version current. DDL is transactional in PostgreSQL, so a failed
 * migration leaves nothing half-done.
 * @throws ExecTrackError `STORE_ERROR` for a database of a newer schema than this build's.
 */
export async function migrate(pool: Pool): Promise<void> {
  await transaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS exec_track_schema (version integer NOT NULL)');
    const found = (await client.query<{ version: number }>('SELECT version FROM exec_track_schema')).rows[0]?.version;
    if (found === undefined) await client.query('INSERT INTO exec_track_schema (version) VALUES (0)');
    const current = found ?? 0;
    if (current > SCHEMA_VERSION) throw newerSchemaError(current, SCHEMA_VERSION);
    if (current === SCHEMA_VERSION) return;
    for (let v = current; v < SCHEMA_VERSION; v++) await client.query(MIGRATIONS[v]!);
    await client.query('UPDATE exec_track_schema SET version = $1', [SCHEMA_VERSION]);
  });
}
