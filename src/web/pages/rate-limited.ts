import { formatDuration } from '../../report/format.js';
import { html } from '../html.js';
import { layout } from '../layout.js';

/** The page for a reader over the per-IP hourly request limit (issue 4 point 4), sent with 429 and `Retry-After`. */
export function rateLimitedPage(retryAfterSeconds: number): string {
  return layout(
    'Too many requests',
    html`<h1>Too many requests</h1>
<p>This address has made more requests in the last hour than the server allows. Try again in ${formatDuration(retryAfterSeconds * 1000)}.</p>
<p><a href="/">Home</a></p>`,
    { script: false },
  );
}
