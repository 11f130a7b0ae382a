import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';

describe('openStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exec-track-open-'));
  afterEach(() => rmSync(join(dir, 'home'), { recursive: true, force: true }));

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
});
