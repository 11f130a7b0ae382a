import { systemClock } from '../clock.js';
import { ExecTrackError } from '../errors.js';
import { buildApp } from '../server/app.js';
import { PollingEventBus } from '../server/shared/polling-bus.js';
import { openStore } from '../store/open.js';

/** A running `exec-track ui`. */
export interface UiServer {
  url: string;
  close: () => Promise<void>;
}

/**
 * Serves the embedded store's pages and read endpoints on 127.0.0.1 (`exec-track ui`): read-only —
 * every method but GET/HEAD is refused with 405, so no user or claim key can be minted and the
 * stream socket (which needs one) stays shut — and without the background jobs (no ghost sweeper,
 * no retention: they would change local executions). Not rate limited (loopback only). Live:
 * local `run`s write the same file from their own processes, so the follow sockets are fed by a
 * {@link PollingEventBus} that looks at the followed executions and sessions a few times a second.
 */
export async function startUi(dbPath: string, port: number): Promise<UiServer> {
  const store = await openStore(dbPath, { clock: systemClock });
  const bus = new PollingEventBus(store);
  const app = await buildApp({ store, options: { host: '127.0.0.1', port, rateLimit: 0 }, shared: { bus } });
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw new ExecTrackError('USAGE', '`exec-track ui` is read-only; record with `exec-track run`.', { statusCode: 405 });
    }
  });
  try {
    await app.listen({ host: '127.0.0.1', port });
  } catch (error) {
    await store.close();
    throw error;
  }
  bus.start();
  const address = app.server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`,
    close: async () => {
      bus.stop();
      await app.close();
      await store.close();
    },
  };
}
