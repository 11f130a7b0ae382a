/**
 * Parses a metric value as printed: decimal or scientific numbers, and `nan` / `inf` / `infinity`
 * in any case with an optional sign (Python, NumPy and JSON spellings). Returns undefined for
 * anything else. NaN and ±Infinity are kept as such (issue 5).
 */
export function parseMetricValue(text: string): number | undefined {
  // Fast path for the common case: a plain decimal (Number also accepts hex, '' and spaces, so check).
  if (/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) return Number(text);
  if (/^[-+]?(?:\d+\.?\d*|\.\d+)[dD][-+]\d+$/.test(text)) return Number(text.replace(/[dD]/, 'e'));
  const lower = text.toLowerCase();
  const unsigned = lower.startsWith('-') || lower.startsWith('+') ? lower.slice(1) : lower;
  if (unsigned === 'nan') return Number.NaN;
  if (unsigned === 'inf' || unsigned === 'infinity') return lower.startsWith('-') ? -Infinity : Infinity;
  return undefined;
}

/**
 * The value of a token that already has the shape of a number or nan/inf (the grammar's NUM):
 * ends in a digit or `.` → a decimal, which `Number` reads exactly (a Fortran `D` exponent read as
 * `e`); else nan/inf.
 */
export function tokenValue(token: string): number {
  const last = token.charCodeAt(token.length - 1);
  if (!((last >= 48 && last <= 57) || last === 46)) return parseMetricValue(token)!;
  const value = Number(token);
  return Number.isNaN(value) ? Number(token.replace(/[dD]/, 'e')) : value;
}

/** A step is a non-negative safe integer; anything else (e.g. `epoch: 0.5`) gives no step. */
export function asStep(value: number | undefined): number | undefined {
  return value !== undefined && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
