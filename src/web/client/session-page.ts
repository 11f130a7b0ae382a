import { fetchSeries, MetricChart } from './chart.js';
import { mountChartTools } from './chart-tools.js';
import { button, el, getJson } from './dom.js';
import type { ExecutionSummaryJson } from '../../protocol/responses.js';
import { formatDuration } from '../../report/format.js';
import { localizeTimes } from './times.js';

/** How often a session page with a Running execution asks for the summary again (ms). */
const POLL_MS = 5000;

type SortKey = string;

/**
 * The session page: the table rendered by the server, made sortable (click a column header),
 * filterable by state, and live (the summary is fetched again every {@link POLL_MS} while an
 * execution runs or the page is new); select rows to compare their metrics in overlaid charts.
 */
export function mountSessionPage(data: { id: string }): void {
  const table = document.querySelector<HTMLTableElement>('table.executions')!;
  const tools = document.querySelector<HTMLElement>('.table-tools')!;
  let rows: ExecutionSummaryJson[] = [];
  let sort: { key: SortKey; dir: 1 | -1 } = { key: 'startedAt', dir: 1 };
  let filter = '';
  const picked = new Set<string>();

  const stateFilter = el('select');
  stateFilter.setAttribute('aria-label', 'Filter by state');
  for (const s of ['', 'Running', 'Passive', 'Execution crushed', 'Exec crushed']) {
    const o = el('option', '', s || 'all states');
    o.value = s;
    stateFilter.append(o);
  }
  stateFilter.addEventListener('change', () => {
    filter = stateFilter.value;
    render();
  });
  const compareButton = button('Compare selected', () => void compare(), 'compare-button');
  compareButton.disabled = true;
  tools.append(stateFilter, compareButton);
  tools.hidden = false;

  for (const th of table.querySelectorAll<HTMLElement>('th[data-sort]')) {
    const key = th.dataset.sort!;
    const b = button(th.textContent ?? key, () => {
      sort = { key, dir: sort.key === key ? (-sort.dir as 1 | -1) : 1 };
      render();
    });
    th.replaceChildren(b);
  }

  const value = (e: ExecutionSummaryJson, key: SortKey): number | string => {
    if (key.startsWith('m:')) return e.metrics[key.slice(2)]?.last ?? -Infinity;
    const v = (e as unknown as Record<string, unknown>)[key];
    return typeof v === 'number' || typeof v === 'string' ? v : -Infinity;
  };

  function render(): void {
    const keys = [...table.querySelectorAll<HTMLElement>('th[data-sort^="m:"]')].map((th) => th.dataset.sort!.slice(2));
    for (const th of table.querySelectorAll<HTMLElement>('th[data-sort]')) {
      th.setAttribute('aria-sort', th.dataset.sort === sort.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none');
    }
    const shown = rows
      .filter((e) => !filter || e.state === filter)
      .sort((a, b) => {
        const x = value(a, sort.key);
        const y = value(b, sort.key);
        return (x < y ? -1 : x > y ? 1 : 0) * sort.dir;
      });
    table.tBodies[0]!.replaceChildren(...shown.map((e) => row(e, keys)));
    localizeTimes(table);
  }

  function row(e: ExecutionSummaryJson, keys: string[]): HTMLTableRowElement {
    const tr = el('tr');
    tr.dataset.id = e.id;
    const box = el('input');
    box.type = 'checkbox';
    box.value = e.id;
    box.checked = picked.has(e.id);
    box.setAttribute('aria-label', `compare ${e.name ?? e.id}`);
    box.addEventListener('change', () => {
      if (box.checked) picked.add(e.id);
      else picked.delete(e.id);
      compareButton.disabled = picked.size === 0;
    });
    const cell = (...children: Array<Node | string>) => {
      const td = el('td');
      td.append(...children);
      return td;
    };
    const badge = el('span', `state state-${e.state.toLowerCase().replace(/\s+/g, '-')}`, e.state);
    badge.dataset.state = e.state;
    const link = el('a', '', e.name ?? e.id.slice(0, 8));
    link.href = `/e/${e.id}`;
    const started = e.startedAt ? el('time') : '-';
    if (started instanceof HTMLTimeElement) {
      started.dateTime = e.startedAt!;
      started.dataset.style = 'ago';
    }
    const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '-' : String(Number(v.toPrecision(6))));
    tr.append(
      cell(box),
      cell(badge),
      cell(link),
      cell(el('code', '', e.command.join(' '))),
      cell(started),
      cell(formatDuration(e.durationMs)),
      cell(e.exitCode !== null ? String(e.exitCode) : (e.signal ?? '-')),
      cell(String(e.lineCount)),
      ...keys.map((k) => cell(fmt(e.metrics[k]?.last))),
    );
    tr.firstElementChild!.className = 'pick';
    return tr;
  }

  async function refresh(): Promise<void> {
    const body = await getJson<{ executions: ExecutionSummaryJson[] }>(`/api/v1/sessions/${data.id}/summary`);
    rows = body.executions;
    render();
    if (rows.some((e) => e.state === 'Running')) setTimeout(() => void refresh().catch(() => setTimeout(() => void refresh(), POLL_MS)), POLL_MS);
  }

  async function compare(): Promise<void> {
    const section = document.getElementById('compare')!;
    const chartsBox = section.querySelector<HTMLElement>('.charts')!;
    const chosen = rows.filter((e) => picked.has(e.id));
    const keys = [...new Set(chosen.flatMap((e) => Object.keys(e.metrics)))].sort();
    section.hidden = false;
    const figures = keys.map((key) => {
      const figure = el('figure', 'chart');
      figure.dataset.key = key;
      figure.append(el('figcaption', '', key));
      return figure;
    });
    const toolbar = el('div', 'chart-tools');
    chartsBox.replaceChildren(toolbar, ...figures);
    const charts: MetricChart[] = [];
    const settings = mountChartTools(toolbar, (next) => charts.forEach((c) => c.update(next)));
    figures.forEach((figure, i) => {
      const key = keys[i]!;
      const source = async (buckets: number, range?: { from: number; to: number }) =>
        Promise.all(chosen.map((e) => fetchSeries(e.id, key, settings.x, buckets, range)));
      charts.push(new MetricChart(figure, chosen.map((e) => e.name ?? e.id.slice(0, 8)), source, settings));
    });
    section.scrollIntoView();
  }

  void refresh();
}
