/**
 * A set of ASCII characters that a line must start with to be worth a regex: {@link startsWithOneOf}
 * answers from the first character alone, so most log lines (a timestamp, a `[`, a word) skip the
 * regexes a line without pairs goes through (issue 10: B2's plain lines). A first character outside
 * ASCII is never ruled out (the regexes' `\s` and `trim()` know Unicode spaces).
 */
export type FirstChars = Uint8Array;

/** The set of `chars` (ASCII only). */
export function firstChars(chars: string): FirstChars {
  const set = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = 1;
  return set;
}

/** JavaScript's ASCII white space (`\s`, `trim()`): tab, line feed, vertical tab, form feed, carriage return, space. */
export const ASCII_SPACE = ' \t\n\v\f\r';

/** False when `text` is empty or starts with an ASCII character outside `set`. */
export function startsWithOneOf(text: string, set: FirstChars): boolean {
  const c = text.charCodeAt(0);
  // NaN (empty text) fails both tests
  return c > 127 || set[c] === 1;
}
