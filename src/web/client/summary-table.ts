import { el } from './dom.js';
import type { LivePoint } from './points.js';
import type { MetricSummaryJson } from '../../protocol/responses.js';
import { formatNumber } from '../../report/format.js';

/**
 * The execution page's metric summary table (last, min, max and number of points per key, rendered
 * by the server), kept current from the points of the follow socket with the store's rules: min and
 * max ignore NaN; a live point's null (a value that is not finite) counts as NaN.
 */
export class SummaryTable {
  readonly #summaries = new Map<string, MetricSummaryJson>();
  readonly #body: () => HTMLTableSectionElement;

  /** `summaries` as the page was rendered; `body` finds (or makes) the table's body. */
  constructor(summaries: Record<string, MetricSummaryJson>, body: () => HTMLTableSectionElement) {
    for (const [key, s] of Object.entries(summaries)) this.#summaries.set(key, { ...s });
    this.#body = body;
  }

  /** Counts live points of `key` in, adding its row when the key is new. */
  add(key: string, points: LivePoint[]): void {
    const s = this.#summaries.get(key) ?? { last: null, min: null, max: null, count: 0 };
    this.#summaries.set(key, s);
    for (const { value } of points) {
      s.count++;
      s.last = value;
      if (value === null) continue;
      s.min = s.min === null || value < s.min ? value : s.min;
      s.max = s.max === null || value > s.max ? value : s.max;
    }
    this.#show(key, s);
  }

  #show(key: string, s: MetricSummaryJson): void {
    const body = this.#body();
    let row = [...body.rows].find((r) => r.dataset.key === key);
    if (!row) {
      row = el('tr');
      row.dataset.key = key;
      const th = el('th', '', key);
      th.scope = 'row';
      row.append(th, el('td'), el('td'), el('td'), el('td'));
      body.append(row);
    }
    const show = (v: number | null) => formatNumber(v ?? Number.NaN);
    [show(s.last), show(s.min), show(s.max), String(s.count)].forEach((text, i) => (row.cells[i + 1]!.textContent = text));
  }
}
