import type { MetricPoint } from '../../src/protocol/types.js';

/** One point of a library's own record (test/fixtures/libraries/record.py). */
export interface TruthPoint {
  key: string;
  step: number;
  value: number;
  /** Decimals the library printed; null: printed as recorded. */
  decimals: number | null;
}

/** How stored points compare with the library's record. */
export interface Comparison {
  /** Distinct (key, step, value) points the library printed. */
  printed: number;
  /** Of those, how many are stored with that key, step and value. */
  exact: number;
  /** Stored points that match no printed point (wrong key, step or value, or invented). */
  wrong: string[];
}

/** True when `stored` is `truth` as printed with `truth.decimals` decimals. */
function sameValue(stored: number, truth: TruthPoint): boolean {
  if (truth.decimals === null) return stored === truth.value;
  return Math.abs(stored - truth.value) <= 0.5 * 10 ** -truth.decimals * (1 + 1e-9) + 1e-12;
}

/**
 * Compares stored points with the record. Points are compared as (key, step, value): a redraw that
 * shows the same point again (tqdm's closing frame) stores it again, which is neither lost nor wrong.
 */
export function compare(stored: readonly MetricPoint[], truth: readonly TruthPoint[]): Comparison {
  const byKeyStep = new Map<string, TruthPoint[]>();
  for (const t of truth) {
    const id = `${t.key}\0${t.step}`;
    byKeyStep.set(id, [...(byKeyStep.get(id) ?? []), t]);
  }
  const found = new Set<TruthPoint>();
  const wrong: string[] = [];
  for (const p of stored) {
    const match = byKeyStep.get(`${p.key}\0${p.step}`)?.filter((t) => sameValue(p.value, t));
    if (match?.length) match.forEach((t) => found.add(t));
    else wrong.push(`${p.key} @${p.step} = ${p.value}`);
  }
  const distinct = new Set(truth.map((t) => `${t.key}\0${t.step}\0${t.value}`));
  const exact = new Set([...found].map((t) => `${t.key}\0${t.step}\0${t.value}`));
  return { printed: distinct.size, exact: exact.size, wrong };
}
