import type { Statement } from 'better-sqlite3';
import type { Session } from '../../protocol/types.js';
import { toSession, type SessionRow } from '../rows.js';
import type { Db } from './connection.js';

/** The `sessions` table. `owner_id IS ?` matches null (the embedded owner) too. */
export class Sessions {
  readonly #insert: Statement;
  readonly #get: Statement;
  readonly #byTitle: Statement;
  readonly #list: Statement;
  readonly #count: Statement;

  constructor(db: Db) {
    this.#insert = db.prepare('INSERT OR IGNORE INTO sessions (id, title, created_at, owner_id) VALUES (?, ?, ?, ?)');
    this.#get = db.prepare('SELECT * FROM sessions WHERE id = ?');
    this.#byTitle = db.prepare('SELECT * FROM sessions WHERE title = ? AND owner_id IS ? ORDER BY created_at DESC, rowid DESC LIMIT 1');
    this.#list = db.prepare('SELECT * FROM sessions WHERE owner_id IS ? ORDER BY created_at DESC, rowid DESC');
    this.#count = db.prepare('SELECT count(*) FROM sessions WHERE owner_id IS ?').pluck();
  }

  /** Inserts the session; a resend of an existing id returns the stored one unchanged. */
  create(s: Session): Session {
    this.#insert.run(s.id, s.title, s.createdAt, s.ownerId);
    return this.get(s.id)!;
  }

  get(id: string): Session | undefined {
    const row = this.#get.get(id) as SessionRow | undefined;
    return row && toSession(row);
  }

  findByTitle(title: string, ownerId: string | null): Session | undefined {
    const row = this.#byTitle.get(title, ownerId) as SessionRow | undefined;
    return row && toSession(row);
  }

  list(ownerId: string | null): Session[] {
    return (this.#list.all(ownerId) as SessionRow[]).map(toSession);
  }

  count(ownerId: string | null): number {
    return this.#count.get(ownerId) as number;
  }
}
