/**
 * A throwaway PostgreSQL cluster per test file (initdb into a temp dir as `postgres` when root, a
 * free port on 127.0.0.1, the unix socket in the same dir), shared with the benchmarks: the
 * implementation is bench/lib/postgres.mjs.
 */
export { freePort, postgresBin, startCluster, type PgCluster } from '../../bench/lib/postgres.mjs';
