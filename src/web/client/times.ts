import { formatLocalTime } from '../../report/format.js';

/**
 * Human times: `<time>` elements in the viewer's local time, ages like `3 min ago`. Local times and
 * durations are the terminal's own formats (src/report/format.ts, bundled with the page script).
 */

/** `just now`, `42 s ago`, `3 min ago`, `5 h ago`, `2 d ago`. */
export function ago(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** Rewrites every `<time datetime>` under `root` to local time with its age; UTC stays in the title. */
export function localizeTimes(root: ParentNode = document): void {
  for (const node of root.querySelectorAll<HTMLTimeElement>('time[datetime]')) {
    const ms = Date.parse(node.dateTime);
    if (Number.isNaN(ms)) continue;
    // `data-style="ago"` (tables): the age only, the local time with UTC on hover
    node.textContent = node.dataset.style === 'ago' ? ago(ms) : `${formatLocalTime(ms)} (${ago(ms)})`;
    node.title = node.dataset.style === 'ago' ? `${formatLocalTime(ms)} · ${new Date(ms).toISOString()}` : new Date(ms).toISOString();
  }
}
