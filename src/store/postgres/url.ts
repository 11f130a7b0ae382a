/**
 * True for a `postgres://` or `postgresql://` URL, the values of `serve --db` (or
 * `EXEC_TRACK_DATABASE_URL`) that select the PostgreSQL store. Apart from the rest of this
 * folder so that telling the engines apart loads no node-postgres.
 */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(value);
}
