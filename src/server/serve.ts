import type { FastifyInstance } from 'fastify';
import { systemClock } from '../clock.js';
import { ExecTrackError } from '../errors.js';
import { openStore } from '../store/open.js';
import { buildApp } from './app.js';
import type { ServerLog } from './context.js';
import { resolveOptions, type Clock, type ServerOptions } from './options.js';
import type { NotifyOptions } from '../notify/options.js';
import { isPostgresUrl } from '../store/postgres/url.js';
import type { Store } from '../store/store.js';
import type { SharedState } from './shared/postgres.js';

/** A listening server; `close` stops accepting, closes sockets (1001), flushes and closes the DB. */
export interface RunningServer {
  url: string;
  app: FastifyInstance;
  close: () => Promise<void>;
}

/**
 * Opens the store at `db` — a SQLite file (created with its folder when missing) or a
 * `postgres://` URL (several instances may share it: the event bus and rate limiter are then
 * shared too, src/server/shared/) — builds the app, listens on `options.host`/`options.port` and
 * starts the background jobs. Throws ExecTrackError CONFLICT when the port is taken, USAGE when the
 * address cannot be bound, STORE_ERROR when the database cannot be opened.
 */
export async function startServer(
  db: string,
  options: Partial<ServerOptions> & Pick<ServerOptions, 'host' | 'port'>,
  log?: ServerLog,
  notify?: { options?: NotifyOptions; publicUrl?: string },
): Promise<RunningServer> {
  // one clock for the store and the app: lastSeenAt and the ghost sweeper must agree
  const clock = systemClock;
  const { store, shared } = await openServerStore(db, options, clock, log ?? ((line) => process.stderr.write(`${line}\n`)));
  let app: FastifyInstance;
  try {
    app = await buildApp({ store, options, clock, log, shared, notify: notify?.options });
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await shared?.close();
    await store.close();
    throw listenError(error, options);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  app.execTrack.startBackground(notify?.publicUrl ?? url);
  return {
    url,
    app,
    close: async () => {
      await app.close();
      await shared?.close();
      await store.close();
    },
  };
}

/** The store behind `db` and, on PostgreSQL, the state shared with the other instances (node-postgres loaded only then). */
async function openServerStore(db: string, options: Partial<ServerOptions>, clock: Clock, log: ServerLog): Promise<{ store: Store; shared?: SharedState }> {
  if (!isPostgresUrl(db)) return { store: await openStore(db, { lineQuota: options.lineQuota, clock }) };
  const { openPostgresStore, connectError } = await import('../store/postgres/open.js');
  const { postgresSharedState } = await import('./shared/postgres.js');
  const store = await openPostgresStore(db, { lineQuota: options.lineQuota, clock, log });
  try {
    return { store, shared: await postgresSharedState(store, db, resolveOptions(options), log) };
  } catch (error) {
    await store.close();
    throw connectError(db, error);
  }
}

function listenError(error: unknown, options: Pick<ServerOptions, 'host' | 'port'>): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new ExecTrackError('CONFLICT', `Port ${options.port} is already in use; stop the other server or pick another with --port.`, { cause: error });
  if (code === 'EADDRNOTAVAIL' || code === 'EACCES' || code === 'ENOTFOUND') {
    return new ExecTrackError('USAGE', `Cannot listen on ${options.host}:${options.port} (${code}); check --host and --port.`, { cause: error });
  }
  return error;
}
