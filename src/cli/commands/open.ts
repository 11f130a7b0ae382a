import { resolveServer } from '../../config/settings.js';
import { ExecTrackError } from '../../errors.js';
import { pageUrl } from '../../web/links.js';
import { openInBrowser } from '../browser.js';
import type { CommandIo } from '../io.js';

/**
 * `exec-track open [id|last]`: prints the page URL of a session or execution on the server
 * (`--server` / EXEC_TRACK_SERVER / config) and opens it in the browser when there is a desktop.
 * No target: the current session. Throws USAGE without a server (the embedded store has `exec-track
 * ui`), NOT_FOUND / NO_RUNS / SERVER_UNREACHABLE like `report`.
 */
export async function openCommand(target: string | undefined, opts: { server?: string }, io: CommandIo): Promise<number> {
  const { env } = io;
  const server = resolveServer(opts.server, env);
  if (!server)
    throw new ExecTrackError(
      'USAGE',
      'No server is configured, so there is no page to open; give --server <url>, or run `exec-track ui` for the embedded store.',
    );
  const { RemoteSource } = await import('../../report/remote-source.js');
  const source = new RemoteSource(server, { env });
  try {
    const resolved = await source.resolve(target);
    // an id typed by hand: a page that exists, or NOT_FOUND here rather than a 404 in the browser
    if (resolved.kind === 'execution') await source.execution(resolved.id);
    else await source.session(resolved.id);
    const url = pageUrl(server, resolved.id);
    io.stdout.write(`${url}\n`);
    await openInBrowser(url, env);
    return 0;
  } finally {
    await source.close();
  }
}
