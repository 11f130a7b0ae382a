/** What a table cell sorts by: a number or the text it shows; null for an empty cell (`-`). */
export type SortValue = number | string | null;

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * Compares two cells for a sort in direction `dir` (1 ascending, -1 descending): numbers by value,
 * text as people read it (`run2` before `run10`, case ignored), numbers before text; empty cells
 * (and NaN) last in either direction.
 */
export function compareCells(a: SortValue, b: SortValue, dir: 1 | -1): number {
  const empty = (v: SortValue) => v === null || Number.isNaN(v);
  if (empty(a) || empty(b)) return Number(empty(a)) - Number(empty(b));
  if (typeof a === 'number' && typeof b === 'number') return (a - b) * dir;
  if (typeof a === 'string' && typeof b === 'string') return collator.compare(a, b) * dir;
  return (typeof a === 'number' ? -1 : 1) * dir;
}
