/** Types of postgres.mjs, for the tests (test/helpers/postgres.ts). */
export interface PgCluster {
  port: number;
  /** Connection URL of database `db` (superuser `postgres`, trust auth; default `postgres`). */
  url: (db?: string) => string;
  /** Creates an empty database and returns its URL. */
  createDatabase: () => Promise<string>;
  /** Stops PostgreSQL (`fast`: disconnects clients) and starts it again on the same port after `pauseMs`. */
  restart: (pauseMs?: number, whileDown?: () => Promise<unknown>) => Promise<void>;
  /** Stops PostgreSQL at once and removes its data directory. */
  stop: () => Promise<void>;
}
export function postgresBin(): string | undefined;
export function startCluster(): Promise<PgCluster>;
export function freePort(): Promise<number>;
