import type { MetricsConfig } from '../../../src/protocol/types.js';
import type { Store } from '../../../src/store/store.js';
import { EXEC, SESSION, newExecution } from '../setup.js';

/** An opened store of the engine under test; `reopen` opens the same data again (after `store.close()`). */
export interface OpenedStore {
  store: Store;
  reopen: () => Promise<Store>;
}

/**
 * Opens an empty store of the engine under test with that line quota (undefined: the default),
 * closed and removed by the engine's test after the current test.
 */
export type OpenEmptyStore = (lineQuota: number | undefined) => Promise<OpenedStore>;

/** A store holding session {@link SESSION} with one `Running` execution {@link EXEC} (started at 2 000 ms). */
export type FreshStore = (options?: { lineQuota?: number; metrics?: MetricsConfig }) => Promise<OpenedStore>;

/** The {@link FreshStore} of an engine. */
export function seeded(open: OpenEmptyStore): FreshStore {
  return async (options = {}) => {
    const opened = await open(options.lineQuota);
    await opened.store.createSession({ id: SESSION, title: 'default', createdAt: 1_000, ownerId: null });
    await opened.store.createExecution(newExecution(EXEC, SESSION, 2_000, options.metrics));
    return opened;
  };
}
