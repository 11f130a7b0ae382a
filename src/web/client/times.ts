/** Human times: `<time>` elements in the viewer's local time, durations like `2h 14m`, ages like `3 min ago`. */

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-11-30 13:00:01` in the viewer's time zone. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `just now`, `42 s ago`, `3 min ago`, `5 h ago`, `2 d ago`. */
export function ago(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** `340ms`, `1.2s`, `42s`, `3m 12s`, `2h 14m`, `2d 3h` (as the terminal shows them). */
export function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  if (ms < 60_000) return `${Math.floor(ms / 1000)}s`;
  const units: Array<[number, string]> = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'm'], [1000, 's']];
  const i = units.findIndex(([size]) => ms >= size);
  const [big, bigName] = units[i]!;
  const [small, smallName] = units[i + 1]!;
  const whole = Math.floor(ms / big);
  const rest = Math.floor((ms - whole * big) / small);
  return rest === 0 ? `${whole}${bigName}` : `${whole}${bigName} ${rest}${smallName}`;
}

/** Rewrites every `<time datetime>` under `root` to local time with its age; UTC stays in the title. */
export function localizeTimes(root: ParentNode = document): void {
  for (const node of root.querySelectorAll<HTMLTimeElement>('time[datetime]')) {
    const ms = Date.parse(node.dateTime);
    if (Number.isNaN(ms)) continue;
    // `data-style="ago"` (tables): the age only, the local time with UTC on hover
    node.textContent = node.dataset.style === 'ago' ? ago(ms) : `${localTime(ms)} (${ago(ms)})`;
    node.title = node.dataset.style === 'ago' ? `${localTime(ms)} · ${new Date(ms).toISOString()}` : new Date(ms).toISOString();
  }
}
