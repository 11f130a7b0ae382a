import type { Session } from '../../protocol/types.js';
import { toSession, toUser, type SessionRow, type UserRow } from '../rows.js';
import type { User } from '../store.js';
import type { Queryable } from './executions.js';

/** `owner_id` matching a possibly null owner (null = the embedded owner), the owner being parameter $1. */
export const ownerIs = (ownerId: string | null) => (ownerId === null ? 'owner_id IS NULL AND $1::text IS NULL' : 'owner_id = $1');

/** The `sessions` table; newest first means by creation time, then insertion order. */
export const sessions = {
  /** Inserts the session; a resend of an existing id returns the stored one unchanged. */
  async create(db: Queryable, s: Session): Promise<Session> {
    const insert = 'INSERT INTO sessions (id, title, created_at, owner_id) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING';
    await db.query(insert, [s.id, s.title, s.createdAt, s.ownerId]);
    return (await sessions.get(db, s.id))!;
  },

  async get(db: Queryable, id: string): Promise<Session | undefined> {
    const row = (await db.query<SessionRow>('SELECT id, title, created_at, owner_id FROM sessions WHERE id = $1', [id])).rows[0];
    return row && toSession(row);
  },

  async findByTitle(db: Queryable, title: string, ownerId: string | null): Promise<Session | undefined> {
    const sql = `SELECT id, title, created_at, owner_id FROM sessions WHERE ${ownerIs(ownerId)} AND title = $2 ORDER BY created_at DESC, num DESC LIMIT 1`;
    const row = (await db.query<SessionRow>(sql, [ownerId, title])).rows[0];
    return row && toSession(row);
  },

  async list(db: Queryable, ownerId: string | null): Promise<Session[]> {
    const sql = `SELECT id, title, created_at, owner_id FROM sessions WHERE ${ownerIs(ownerId)} ORDER BY created_at DESC, num DESC`;
    return (await db.query<SessionRow>(sql, [ownerId])).rows.map(toSession);
  },

  async count(db: Queryable, ownerId: string | null): Promise<number> {
    return (await db.query<{ n: number }>(`SELECT count(*) AS n FROM sessions WHERE ${ownerIs(ownerId)}`, [ownerId])).rows[0]!.n;
  },
};

/** The `users` and `secrets` tables (server mode). */
export const users = {
  async create(db: Queryable, user: User): Promise<void> {
    const insert = 'INSERT INTO users (id, token_hash, created_at, last_seen_at) VALUES ($1, $2, $3, $4)';
    await db.query(insert, [user.id, user.tokenHash, user.createdAt, user.lastSeenAt]);
  },

  async byTokenHash(db: Queryable, tokenHash: string): Promise<User | undefined> {
    const r = (await db.query<UserRow>('SELECT id, token_hash, created_at, last_seen_at FROM users WHERE token_hash = $1', [tokenHash])).rows[0];
    return r && toUser(r);
  },

  async touch(db: Queryable, id: string, at: number): Promise<void> {
    await db.query('UPDATE users SET last_seen_at = greatest(last_seen_at, $2) WHERE id = $1', [id, at]);
  },

  /** The named secret; the first instance's `create()` wins a race (ON CONFLICT DO NOTHING, then read). */
  async secret(db: Queryable, name: string, create: () => string): Promise<string> {
    const found = (await db.query<{ value: string }>('SELECT value FROM secrets WHERE name = $1', [name])).rows[0];
    if (found) return found.value;
    await db.query('INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, create()]);
    return (await db.query<{ value: string }>('SELECT value FROM secrets WHERE name = $1', [name])).rows[0]!.value;
  },
};
