import { toUser, type UserRow } from '../rows.js';
import type { User } from '../store.js';
import type { Db } from './connection.js';
import { preparedOnUse, type LazyDb } from './on-first-use.js';

/** The prepared statements of {@link Users}. */
const statements = (db: LazyDb) => ({
  insert: db.prepare('INSERT INTO users (id, token_hash, created_at, last_seen_at) VALUES (@id, @tokenHash, @createdAt, @lastSeenAt)'),
  byToken: db.prepare('SELECT * FROM users WHERE token_hash = ?'),
  touch: db.prepare('UPDATE users SET last_seen_at = max(last_seen_at, ?) WHERE id = ?'),
  secret: db.prepare('SELECT value FROM secrets WHERE name = ?'),
  newSecret: db.prepare('INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)'),
});

/** The `users` and `secrets` tables (server mode). */
export class Users {
  readonly #sql: ReturnType<typeof statements>;

  constructor(db: Db) {
    this.#sql = statements(preparedOnUse(db));
  }

  create(user: User): void {
    this.#sql.insert.run(user);
  }

  byTokenHash(tokenHash: string): User | undefined {
    const r = this.#sql.byToken.get(tokenHash) as UserRow | undefined;
    return r && toUser(r);
  }

  touch(id: string, at: number): void {
    this.#sql.touch.run(at, id);
  }

  /** The named secret; the first caller's `create()` wins a race between processes. */
  secret(name: string, create: () => string): string {
    const found = this.#sql.secret.get(name) as { value: string } | undefined;
    if (found) return found.value;
    this.#sql.newSecret.run(name, create());
    return (this.#sql.secret.get(name) as { value: string }).value;
  }
}
