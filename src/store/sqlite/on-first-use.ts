import type Database from 'better-sqlite3';
import type { Db } from './connection.js';

/**
 * A statement prepared on its first use: a `run` uses a handful of the store's ~60 statements, and
 * preparing them all at open took ~20 ms of every start (B4, docs/benchmarks.md "Start-up"). Offers
 * the part of better-sqlite3's `Statement` the store uses.
 */
export class LazyStatement {
  readonly #db: Db;
  readonly #sql: string;
  #pluck = false;
  #statement: Database.Statement<unknown[]> | undefined;

  constructor(db: Db, sql: string) {
    this.#db = db;
    this.#sql = sql;
  }

  /** As `Statement.pluck()`: rows read as their first column. */
  pluck(): this {
    this.#pluck = true;
    return this;
  }

  run(...params: unknown[]): Database.RunResult {
    return this.#prepared().run(...params);
  }

  get(...params: unknown[]): unknown {
    return this.#prepared().get(...params);
  }

  all(...params: unknown[]): unknown[] {
    return this.#prepared().all(...params);
  }

  iterate(...params: unknown[]): IterableIterator<unknown> {
    return this.#prepared().iterate(...params);
  }

  #prepared(): Database.Statement<unknown[]> {
    if (!this.#statement) {
      const statement = this.#db.prepare<unknown[]>(this.#sql);
      this.#statement = this.#pluck ? statement.pluck() : statement;
    }
    return this.#statement;
  }
}

/** What a table of statements is written against: `prepare` gives a {@link LazyStatement}. */
export interface LazyDb {
  prepare(sql: string): LazyStatement;
}

/** `db` whose `prepare` defers the preparing to the statement's first use. */
export function preparedOnUse(db: Db): LazyDb {
  return { prepare: (sql) => new LazyStatement(db, sql) };
}
