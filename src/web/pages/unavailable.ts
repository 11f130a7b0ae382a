import { html } from '../html.js';
import { layout } from '../layout.js';

/**
 * The page for a request the server cannot answer now (a 5xx: its database is down or restarting,
 * or an internal error), sent with that status; with `retryAfterSeconds` (503) it says when to retry.
 * Says nothing of the cause: the server's log has it.
 */
export function unavailablePage(retryAfterSeconds: number | undefined): string {
  const when = retryAfterSeconds === undefined ? 'Try again shortly.' : `Try again in ${retryAfterSeconds} s.`;
  return layout(
    'Server unavailable',
    html`<h1>The server cannot answer right now</h1>
<p>Nothing of the run is lost: wrappers keep what they record until the server takes it. ${when}</p>
<p><a href="/">Home</a></p>`,
    { script: false },
  );
}
