// Setup file of the `unit` vitest project: starting a child process or listening on a port fails at once,
// so a test that needs either is moved to the `e2e` project (E2E in vitest.config.ts) instead of slowing unit down.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

const refuse = (what: string) => () => {
  throw new Error(`${what} in a unit test; list the file under E2E in vitest.config.ts`);
};

for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) {
  (childProcess as Record<typeof name, unknown>)[name] = refuse(`child_process.${name}`);
}
net.Server.prototype.listen = refuse('net.Server#listen');
syncBuiltinESMExports();
