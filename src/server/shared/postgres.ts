import { randomBytes } from 'node:crypto';
import { PgChannel } from '../../store/postgres/channel.js';
import type { PostgresStore } from '../../store/postgres/postgres-store.js';
import { RateWindows } from '../../store/postgres/rate-windows.js';
import type { ServerContext, ServerLog } from '../context.js';
import type { ServerOptions } from '../options.js';
import { PostgresEventBus } from './postgres-bus.js';
import { PostgresRateLimiter } from './postgres-rate-limit.js';

/** Parts of the {@link ServerContext} that several instances must share, and how to stop them. */
export interface SharedState extends Pick<ServerContext, 'bus' | 'limiter'> {
  close: () => Promise<void>;
}

/** Name of the LISTEN/NOTIFY channel. */
const CHANNEL = 'exec_track_events';
/** Name of the server secret (in the DB, shared by every instance) that keys the rate limiter's IP hashes. */
const RATE_SECRET = 'rate-hmac-v1';

/**
 * The shared event bus and rate limiter of an instance on PostgreSQL (issue 13 point 3), with one
 * LISTEN connection for the instance. The live-stream registry stays per process: each instance's
 * ghost sweeper records its own open streams as heartbeats in the database (`touchExecution`)
 * before any sweep marks anything, so a sweeper elsewhere sees them alive (docs/deploy.md).
 */
export async function postgresSharedState(
  store: PostgresStore,
  url: string,
  options: Pick<ServerOptions, 'rateLimit' | 'rateWindowMs'>,
  log: ServerLog,
): Promise<SharedState> {
  const bus = new PostgresEventBus(store);
  const channel = await PgChannel.open(url, store.pool, CHANNEL, {
    message: (payload) =>
      void bus.receive(payload).catch((error: unknown) => log(`exec-track: a notification could not be replayed (${(error as Error).message})`)),
    reconnected: () => void bus.catchUp().catch((error: unknown) => log(`exec-track: followers could not catch up (${(error as Error).message})`)),
    problem: log,
  });
  bus.sendWith((payload) => channel.notify(payload));
  const secret = await store.getOrCreateSecret(RATE_SECRET, () => randomBytes(32).toString('base64url'));
  const limiter = new PostgresRateLimiter(new RateWindows(store.pool), options.rateLimit, options.rateWindowMs, Buffer.from(secret, 'base64url'));
  return { bus, limiter, close: () => channel.close() };
}
