/** The text that replaces a secret in everything exec-track records (DESIGN §5). */
export const REDACTED = '[REDACTED]';

/** A function that masks secret values in one line of text; returns its input when nothing matches. */
export type TextRedactor = (s: string) => string;

const identity: TextRedactor = (s) => s;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Builds one matcher for a set of secret values, once, so that masking a line costs one regex scan
 * (the runner calls it on every line: the budget is ~1M lines/s). With no values it returns the
 * identity function. Values are escaped and tried longest first.
 *
 * Overlapping occurrences (`aaaabbbb` and `bbbbcccc` in `aaaabbbbcccc`) are masked as their union,
 * so no secret leaks a tail; that exact path runs only on lines that contain a secret.
 */
export function createTextRedactor(values: Iterable<string>): TextRedactor {
  const secrets = [...new Set(values)].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return identity;
  const any = new RegExp(secrets.map(escapeRegExp).join('|'));
  return (s) => (any.test(s) ? maskSpans(s, secrets) : s);
}

/** Replaces the union of all (possibly overlapping) occurrences of `secrets` in `s`. */
function maskSpans(s: string, secrets: string[]): string {
  const spans: Array<[number, number]> = [];
  for (const secret of secrets) {
    for (let i = s.indexOf(secret); i !== -1; i = s.indexOf(secret, i + 1)) spans.push([i, i + secret.length]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [start, stop] of spans) {
    const prev = merged.at(-1);
    if (prev && start <= prev[1]) prev[1] = Math.max(prev[1], stop);
    else merged.push([start, stop]);
  }
  let out = '';
  let pos = 0;
  for (const [start, stop] of merged) {
    out += s.slice(pos, start) + REDACTED;
    pos = stop;
  }
  return out + s.slice(pos);
}
