import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startServer, tempHome, type ServerProcess } from './cli.js';

/** A temp EXEC_TRACK_HOME with a real `exec-track serve` on port 0 in it. */
export interface ServerHome {
  readonly home: { dir: string; cleanup: () => void };
  readonly server: ServerProcess;
}

/**
 * Registers hooks that start a fresh home and server before the suite (`'all'`) or before each test
 * (`'each'`), and stop and remove them after. Read `home` and `server` inside tests, not at collection.
 */
export function serverHome(scope: 'all' | 'each'): ServerHome {
  const state = {} as { home: ServerHome['home']; server: ServerProcess };
  const [before, after] = scope === 'all' ? [beforeAll, afterAll] : [beforeEach, afterEach];
  before(async () => {
    state.home = tempHome();
    state.server = await startServer({ home: state.home.dir });
  });
  after(async () => {
    await state.server.stop();
    state.home.cleanup();
  });
  return state;
}
