import { html } from '../html.js';
import { layout } from '../layout.js';

/** The one 404 page, for unknown, deleted, expired and malformed ids alike (it says nothing about which). */
export function notFoundPage(): string {
  return layout(
    'Not found',
    html`<h1>Nothing here</h1>
<p>Nothing exists under that link. Check that you copied the whole link; it may also have expired.</p>
<p><a href="/">Open another id</a></p>`,
    { script: false },
  );
}
