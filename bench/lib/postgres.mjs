import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * A throwaway PostgreSQL cluster for the tests (test/helpers/postgres.ts gives it types) and the
 * benchmarks: initdb into a temp dir, a free port on 127.0.0.1, the unix socket in the same dir.
 */

const run = promisify(execFile);

/** Debian's PostgreSQL binaries (`/usr/lib/postgresql/<major>/bin`, newest major), or `PG_BIN`; undefined when not installed. */
export function postgresBin() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] && join(root, majors[0], 'bin');
}

/**
 * initdb into a temp dir and start PostgreSQL on a free port (as the `postgres` user when run as
 * root: PostgreSQL refuses to run as root). fsync is off, which a throwaway cluster may afford.
 * Returns `{ port, url(db?), createDatabase(), restart(pauseMs?), stop() }`; call `stop` when done.
 * @throws Error naming the Debian package when PostgreSQL is not installed.
 */
export async function startCluster() {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed; apt-get install postgresql (or set PG_BIN to its bin directory).');
  const dir = mkdtempSync(join(tmpdir(), 'exec-track-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const id = (flag) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
    chownSync(dir, id('-u'), id('-g'));
  }
  const as = (tool, args) => (asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args));
  const data = join(dir, 'data');
  await as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const start = () => as('pg_ctl', ['-D', data, '-o', settings, '-l', join(dir, 'log'), '-w', '-t', '30', 'start']);
  await start();
  const url = (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`;
  let databases = 0;
  return {
    port,
    url,
    /** Creates an empty database and returns its URL. */
    createDatabase: async () => {
      const name = `t${++databases}`;
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    /**
     * Stops PostgreSQL (`fast`: disconnects clients) and starts it again on the same port after `pauseMs`;
     * `whileDown` (optional, async) runs once it is stopped, before the pause ends.
     */
    restart: async (pauseMs = 0, whileDown = async () => undefined) => {
      await as('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      await Promise.all([new Promise((r) => setTimeout(r, pauseMs)), whileDown()]);
      await start();
    },
    /** Stops PostgreSQL at once and removes its data directory. */
    stop: async () => {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
