import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/open.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';

describe('openStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exec-track-open-'));
  afterEach(() => rmSync(join(dir, 'home'), { recursive: true, force: true }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the database and its WAL files readable by the owner only, in a 0700 directory', async () => {
    const path = join(dir, 'home', 'exec-track.db');
    const store = await openStore(path);
    await store.createSession({ id: 's_AAAAAAAAAAAAAAAAAAAAAA', title: 't', createdAt: 1, ownerId: null });
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(join(dir, 'home'))).toBe(0o700);
    expect([mode(path), mode(`${path}-wal`), mode(`${path}-shm`)]).toEqual([0o600, 0o600, 0o600]);
    await store.close();
  });

  it('refuses a file that is not a database with a STORE_ERROR', async () => {
    const path = join(dir, 'home', 'not.db');
    await openStore(join(dir, 'home', 'x.db')).then((s) => s.close());
    writeFileSync(path, 'this is not sqlite, just text that is long enough to have a header.'.repeat(10));
    await expect(openStore(path)).rejects.toMatchObject({ code: 'STORE_ERROR' });
  });

  it('refuses a database of a newer schema, whose rows this build might not read, and leaves it untouched', async () => {
    const path = join(dir, 'home', 'newer.db');
    await openStore(path).then((s) => s.close());
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    await expect(openStore(path)).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringMatching(/newer exec-track .*upgrade exec-track/) });
    const after = new Database(path);
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    after.close();
  });

  it('upgrades a version 1 database in place, keeping what it holds', async () => {
    const path = join(dir, 'home', 'v1.db');
    const store = await openStore(path);
    await store.createSession({ id: 's_AAAAAAAAAAAAAAAAAAAAAA', title: 'kept', createdAt: 1, ownerId: null });
    await store.close();
    // what a version 1 file looks like: no received_at (schema 3) and its index
    const db = new Database(path);
    // back to the version 1 layout: v2 changed no table, v3 added executions.received_at, v4 executions.metric_context
    db.exec(`DROP INDEX executions_by_received; DROP INDEX executions_by_session;
      CREATE INDEX executions_by_session ON executions (session_id, started_at); CREATE INDEX executions_by_start ON executions (started_at);
      ALTER TABLE executions DROP COLUMN received_at;`);
    db.exec('ALTER TABLE executions DROP COLUMN metric_context');
    for (const column of ['context', 'peak_rss_bytes', 'user_cpu_ms', 'system_cpu_ms']) db.exec(`ALTER TABLE executions DROP COLUMN ${column}`);
    // v6: the notification tables
    db.exec('DROP TABLE notify_outbox; DROP TABLE notify_rules;');
    // v7: the point chunks' summaries
    db.exec('DROP TABLE metric_blocks');
    db.pragma('user_version = 1');
    db.close();
    const reopened = await openStore(path);
    expect(await reopened.getSession('s_AAAAAAAAAAAAAAAAAAAAAA')).toMatchObject({ title: 'kept' });
    await reopened.close();
    const check = new Database(path);
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    check.close();
  });
});
