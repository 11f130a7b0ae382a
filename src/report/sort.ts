import { ExecTrackError } from '../errors.js';

/** A value a column sorts by; null (and NaN) always sort last, whatever the direction. */
export type SortValue = string | number | null;

/** A parsed `--sort` argument: the column and whether `-` asked for descending order. */
export interface SortSpec {
  column: string;
  descending: boolean;
}

/** Parses `--sort <column>` / `--sort -<column>` against the columns on offer. Throws USAGE for an unknown column. */
export function parseSort(value: string, columns: readonly string[]): SortSpec {
  const descending = value.startsWith('-');
  const column = descending ? value.slice(1) : value;
  if (!columns.includes(column)) {
    throw new ExecTrackError('USAGE', `--sort expects one of ${columns.join(', ')} (prefix - for descending), got "${value}".`);
  }
  return { column, descending };
}

const missing = (v: SortValue) => v === null || (typeof v === 'number' && Number.isNaN(v));

/** Compares two sort values ascending: numbers numerically, strings by locale, missing ones after everything. */
export function compareValues(a: SortValue, b: SortValue): number {
  if (missing(a) || missing(b)) return Number(missing(a)) - Number(missing(b));
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/** A stable sort of `items` by the value `pick` gives, missing values last in both directions. */
export function sortBy<T>(items: readonly T[], pick: (item: T) => SortValue, descending: boolean): T[] {
  return [...items].sort((x, y) => {
    const a = pick(x);
    const b = pick(y);
    if (missing(a) || missing(b)) return compareValues(a, b);
    return descending ? compareValues(b, a) : compareValues(a, b);
  });
}
