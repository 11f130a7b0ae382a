import type { FastifyInstance } from 'fastify';
import { systemClock } from '../clock.js';
import { ExecTrackError } from '../errors.js';
import { openStore } from '../store/open.js';
import { buildApp } from './app.js';
import type { ServerLog } from './context.js';
import type { ServerOptions } from './options.js';
import type { NotifyOptions } from '../notify/options.js';

/** A listening server; `close` stops accepting, closes sockets (1001), flushes and closes the DB. */
export interface RunningServer {
  url: string;
  app: FastifyInstance;
  close: () => Promise<void>;
}

/**
 * Opens the SQLite store at `dbPath` (creating it and its folder), builds the app, listens on
 * `options.host`/`options.port` and starts the background jobs. Throws ExecTrackError CONFLICT when
 * the port is taken, USAGE when the address cannot be bound.
 */
export async function startServer(
  dbPath: string,
  options: Partial<ServerOptions> & Pick<ServerOptions, 'host' | 'port'>,
  log?: ServerLog,
  notify?: { options?: NotifyOptions; publicUrl?: string },
): Promise<RunningServer> {
  // one clock for the store and the app: lastSeenAt and the ghost sweeper must agree
  const clock = systemClock;
  const store = await openStore(dbPath, { lineQuota: options.lineQuota, clock });
  let app: FastifyInstance;
  try {
    app = await buildApp({ store, options, clock, log, notify: notify?.options });
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
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
      await store.close();
    },
  };
}

function listenError(error: unknown, options: Pick<ServerOptions, 'host' | 'port'>): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new ExecTrackError('CONFLICT', `Port ${options.port} is already in use; stop the other server or pick another with --port.`, { cause: error });
  if (code === 'EADDRNOTAVAIL' || code === 'EACCES' || code === 'ENOTFOUND') {
    return new ExecTrackError('USAGE', `Cannot listen on ${options.host}:${options.port} (${code}); check --host and --port.`, { cause: error });
  }
  return error;
}
