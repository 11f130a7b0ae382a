import { embeddedDbPath } from '../../config/paths.js';
import { ExecTrackError } from '../../errors.js';
import { openInBrowser } from '../browser.js';
import type { CommandIo } from '../io.js';

/**
 * `exec-track ui [--port N]`: serves the embedded store's pages read-only on 127.0.0.1, prints
 * `exec-track: serving the embedded store on <url>` and opens the browser when there is a desktop.
 * Resolves with exit code 0 once SIGINT/SIGTERM closed it. Throws USAGE for a bad port, CONFLICT when
 * the port is taken.
 */
export async function uiCommand(opts: { port: string }, io: CommandIo): Promise<number> {
  const { env } = io;
  const port = Number(opts.port);
  if (!/^\d+$/.test(opts.port.trim()) || port > 65_535) throw new ExecTrackError('USAGE', `--port expects a whole number from 0 to 65535, got "${opts.port}".`);
  const { startUi } = await import('../../web/ui.js');
  const ui = await startUi(embeddedDbPath(env), port).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new ExecTrackError('CONFLICT', `Port ${port} is already in use; pick another with --port.`, { cause: error });
    throw error;
  });
  io.stdout.write(`exec-track: serving the embedded store on ${ui.url}\n`);
  await openInBrowser(ui.url, env);
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await ui.close();
  return 0;
}
