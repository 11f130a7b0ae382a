import { html } from '../html.js';
import { layout } from '../layout.js';

/** `/`: what this server is, and a box that opens an id or a pasted link (works without script). */
export function homePage(): string {
  return layout(
    'Home',
    html`<h1>exec-track</h1>
<p>This server keeps the output, metrics and outcome of commands run with <code>exec-track run</code>.
Every session and execution has its own link; whoever holds the link can read it.</p>
<form method="get" action="/go" class="open-box">
<label for="id">Session or execution id, or a link</label>
<input id="id" name="id" required autocomplete="off" spellcheck="false" placeholder="e_&hellip; or s_&hellip;">
<button type="submit">Open</button>
</form>`,
    { script: false },
  );
}

const ID_IN_TEXT = /\b([se]_[A-Za-z0-9_-]{22})(?![A-Za-z0-9_-])/;

/** A line permalink (`#L1234`) at the end of a pasted execution link. */
const LINE_ANCHOR = /#(L\d{1,12})\s*$/;

/**
 * The page path of the first session or execution id in `text` (an id or a pasted link), with the
 * link's line permalink when it has one (`…/e/<id>#L3` → `/e/<id>#L3`), or null.
 */
export function pathOfId(text: string): string | null {
  const id = ID_IN_TEXT.exec(text)?.[1];
  if (!id) return null;
  const anchor = id[0] === 'e' ? LINE_ANCHOR.exec(text)?.[1] : undefined;
  return `/${id[0]}/${id}${anchor ? `#${anchor}` : ''}`;
}
