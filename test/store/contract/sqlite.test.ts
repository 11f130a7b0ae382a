import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { openStore } from '../../../src/store/open.js';
import { tempHome } from '../../helpers/cli.js';
import { storeContract } from './index.js';

storeContract('SqliteStore', async (lineQuota) => {
  const home = tempHome();
  const path = join(home.dir, 'nested', 'store.db');
  const opened = [await openStore(path, { lineQuota })];
  onTestFinished(async () => {
    for (const store of opened) await store.close();
    home.cleanup();
  });
  return {
    store: opened[0]!,
    reopen: async () => {
      opened.push(await openStore(path, { lineQuota }));
      return opened.at(-1)!;
    },
  };
});
