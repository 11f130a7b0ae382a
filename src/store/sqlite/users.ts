import type { Statement } from 'better-sqlite3';
import { toUser, type UserRow } from '../rows.js';
import type { User } from '../store.js';
import type { Db } from './connection.js';

/** The `users` and `secrets` tables (server mode). */
export class Users {
  readonly #insert: Statement;
  readonly #byToken: Statement;
  readonly #touch: Statement;
  readonly #secret: Statement;
  readonly #newSecret: Statement;

  constructor(db: Db) {
    this.#insert = db.prepare('INSERT INTO users (id, token_hash, created_at, last_seen_at) VALUES (@id, @tokenHash, @createdAt, @lastSeenAt)');
    this.#byToken = db.prepare('SELECT * FROM users WHERE token_hash = ?');
    this.#touch = db.prepare('UPDATE users SET last_seen_at = max(last_seen_at, ?) WHERE id = ?');
    this.#secret = db.prepare('SELECT value FROM secrets WHERE name = ?');
    this.#newSecret = db.prepare('INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)');
  }

  create(user: User): void {
    this.#insert.run(user);
  }

  byTokenHash(tokenHash: string): User | undefined {
    const r = this.#byToken.get(tokenHash) as UserRow | undefined;
    return r && toUser(r);
  }

  touch(id: string, at: number): void {
    this.#touch.run(at, id);
  }

  /** The named secret; the first caller's `create()` wins a race between processes. */
  secret(name: string, create: () => string): string {
    const found = this.#secret.get(name) as { value: string } | undefined;
    if (found) return found.value;
    this.#newSecret.run(name, create());
    return (this.#secret.get(name) as { value: string }).value;
  }
}
