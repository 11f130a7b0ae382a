import type { Session } from '../../protocol/types.js';
import { toSession, type SessionRow } from '../rows.js';
import type { Db } from './connection.js';
import { preparedOnUse, type LazyDb } from './on-first-use.js';

/** The prepared statements of {@link Sessions}. */
const statements = (db: LazyDb) => ({
  insert: db.prepare('INSERT OR IGNORE INTO sessions (id, title, created_at, owner_id) VALUES (?, ?, ?, ?)'),
  get: db.prepare('SELECT * FROM sessions WHERE id = ?'),
  byTitle: db.prepare('SELECT * FROM sessions WHERE title = ? AND owner_id IS ? ORDER BY created_at DESC, rowid DESC LIMIT 1'),
  list: db.prepare('SELECT * FROM sessions WHERE owner_id IS ? ORDER BY created_at DESC, rowid DESC'),
  count: db.prepare('SELECT count(*) FROM sessions WHERE owner_id IS ?').pluck(),
});

/** The `sessions` table. `owner_id IS ?` matches null (the embedded owner) too. */
export class Sessions {
  readonly #sql: ReturnType<typeof statements>;

  constructor(db: Db) {
    this.#sql = statements(preparedOnUse(db));
  }

  /** Inserts the session; a resend of an existing id returns the stored one unchanged. */
  create(s: Session): Session {
    this.#sql.insert.run(s.id, s.title, s.createdAt, s.ownerId);
    return this.get(s.id)!;
  }

  get(id: string): Session | undefined {
    const row = this.#sql.get.get(id) as SessionRow | undefined;
    return row && toSession(row);
  }

  findByTitle(title: string, ownerId: string | null): Session | undefined {
    const row = this.#sql.byTitle.get(title, ownerId) as SessionRow | undefined;
    return row && toSession(row);
  }

  list(ownerId: string | null): Session[] {
    return (this.#sql.list.all(ownerId) as SessionRow[]).map(toSession);
  }

  count(ownerId: string | null): number {
    return this.#sql.count.get(ownerId) as number;
  }
}
