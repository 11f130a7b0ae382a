import { MetricChart } from './chart.js';
import { mountChartTools } from './chart-tools.js';
import { button, el, getJson } from './dom.js';
import { follow } from './follow.js';
import { fetchPoints, PointsLoader, type XRange } from './points.js';
import { compareCells, type SortValue } from './table-sort.js';
import type { SessionFollowFrame } from '../../protocol/frames.js';
import { MAX_OPEN_IDS } from '../../protocol/socket-limits.js';
import type { ExecutionJson, ExecutionSummaryJson } from '../../protocol/responses.js';
import { formatCommand, formatDuration } from '../../report/format.js';
import { isSystemMetric } from '../../protocol/system-metrics.js';
import { localizeTimes } from './times.js';

/** How long the page gathers ended executions before reading their final metric values (ms). */
const SETTLE_MS = 1000;
/** Up to this many ended executions are read one by one; more at once read the session summary instead. */
const MAX_SINGLE_READS = 5;

/** A column's `data-sort`: a field of the execution, or `m:<key>` for a metric's last value. */
type SortKey = string;

/**
 * The session page: the table rendered by the server, made sortable (click a column header),
 * filterable by state, and live: after one read of the summary it follows the session's socket
 * (docs/api.md "Session follow socket"), so new executions and state changes appear without
 * reload; a reconnect asks only for the executions after the last one the page has and those it
 * shows as not ended. An execution's final metric values are read once it ends; a running one's
 * duration counts on each second. Select rows to compare their metrics in overlaid charts.
 */
export function mountSessionPage(data: { id: string }): void {
  const table = document.querySelector<HTMLTableElement>('table.executions')!;
  const tools = document.querySelector<HTMLElement>('.table-tools')!;
  const heading = document.querySelector<HTMLElement>('h1 small');
  let rows: ExecutionSummaryJson[] = [];
  /** When each execution's `durationMs` was read (performance.now()), for the running ones' duration. */
  const readAt = new Map<string, number>();
  /** Id of the newest execution the page has, in the session's order (where a reconnect resumes). */
  let newest: string | undefined;
  const ended = new Set<string>();
  let settleTimer: ReturnType<typeof setTimeout> | undefined;
  let renderQueued = false;
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
  const compareButton = button('Compare selected', compare, 'compare-button');
  compareButton.disabled = true;
  tools.append(stateFilter, compareButton);
  tools.hidden = false;

  const sortable = (th: HTMLElement) => {
    const key = th.dataset.sort!;
    th.replaceChildren(
      button(th.textContent ?? key, () => {
        sort = { key, dir: sort.key === key ? (-sort.dir as 1 | -1) : 1 };
        render();
      }),
    );
  };
  table.querySelectorAll<HTMLElement>('th[data-sort]').forEach(sortable);

  /** Metric columns for every key of every row (an execution that ended may bring a new key). */
  const metricKeys = (): string[] => {
    const keys = [...new Set(rows.flatMap((e) => Object.keys(e.metrics)))].filter((key) => !isSystemMetric(key)).sort();
    const shown = [...table.querySelectorAll<HTMLElement>('th[data-sort^="m:"]')];
    if (shown.map((th) => th.dataset.sort!.slice(2)).join('\n') !== keys.join('\n')) {
      shown.forEach((th) => th.remove());
      for (const key of keys) {
        const th = el('th', '', key);
        th.scope = 'col';
        th.dataset.sort = `m:${key}`;
        sortable(th);
        table.tHead!.rows[0]!.append(th);
      }
    }
    return keys;
  };

  /** A running execution's duration now: the server's value plus the time since it was read. */
  const duration = (e: ExecutionSummaryJson): number | null =>
    e.state === 'Running' && e.durationMs !== null ? e.durationMs + performance.now() - (readAt.get(e.id) ?? performance.now()) : e.durationMs;

  /** What a row sorts by in a column: what the cell shows (an unnamed execution by its id prefix). */
  const value = (e: ExecutionSummaryJson, key: SortKey): SortValue => {
    if (key.startsWith('m:')) return e.metrics[key.slice(2)]?.last ?? null;
    switch (key) {
      case 'name':
        return shownName(e);
      case 'command':
        return formatCommand(e.command);
      case 'startedAt':
        return e.startedAt === null ? null : Date.parse(e.startedAt);
      case 'durationMs':
        return duration(e);
      case 'exitCode':
        return e.exitCode ?? e.signal;
      default: {
        const v = (e as unknown as Record<string, unknown>)[key];
        return typeof v === 'number' || typeof v === 'string' ? v : null;
      }
    }
  };

  function render(): void {
    const keys = metricKeys();
    if (heading) heading.textContent = `${rows.length} execution${rows.length === 1 ? '' : 's'}`;
    for (const th of table.querySelectorAll<HTMLElement>('th[data-sort]')) {
      th.setAttribute('aria-sort', th.dataset.sort === sort.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none');
    }
    const shown = rows.filter((e) => !filter || e.state === filter).sort((a, b) => compareCells(value(a, sort.key), value(b, sort.key), sort.dir));
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
    box.setAttribute('aria-label', `compare ${shownName(e)}`);
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
    const link = el('a', '', shownName(e));
    link.href = `/e/${e.id}`;
    const started = e.startedAt ? el('time') : '-';
    if (started instanceof HTMLTimeElement) {
      started.dateTime = e.startedAt!;
      started.dataset.style = 'ago';
    }
    const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '-' : String(Number(v.toPrecision(6))));
    // a running execution's duration counts on (tickDurations)
    const durationCell = cell(formatDuration(duration(e)));
    durationCell.className = 'duration';
    tr.append(
      cell(box),
      cell(badge),
      cell(link),
      cell(el('code', '', formatCommand(e.command))),
      cell(started),
      durationCell,
      cell(e.exitCode !== null ? String(e.exitCode) : (e.signal ?? '-')),
      cell(String(e.lineCount)),
      ...keys.map((k) => cell(fmt(e.metrics[k]?.last))),
    );
    tr.firstElementChild!.className = 'pick';
    return tr;
  }

  /** Renders once per frame however many socket frames came (a reconnect's backlog is a burst). */
  function renderSoon(): void {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      render();
    });
  }

  /** An `execution` frame: a new row, or the row's new state; its metric values are read once it ends. */
  function apply(e: ExecutionJson): void {
    const i = rows.findIndex((r) => r.id === e.id);
    readAt.set(e.id, performance.now());
    const before = rows[i];
    if (before) rows[i] = { ...e, metrics: before.metrics };
    else {
      rows.push({ ...e, metrics: {} });
      newest = e.id;
    }
    if (e.endedAt !== null && (!before || before.endedAt === null)) {
      ended.add(e.id);
      settleTimer ??= setTimeout(() => void settle(), SETTLE_MS);
    }
    renderSoon();
  }

  /** Reads the final metric values of the executions that ended: one by one when few, else the summary once. */
  async function settle(): Promise<void> {
    const ids = [...ended];
    ended.clear();
    settleTimer = undefined;
    const found = new Map<string, ExecutionSummaryJson['metrics']>();
    if (ids.length <= MAX_SINGLE_READS) {
      for (const id of ids) found.set(id, (await getJson<{ metrics: ExecutionSummaryJson['metrics'] }>(`/api/v1/executions/${id}`)).metrics);
    } else {
      for (const e of (await getJson<{ executions: ExecutionSummaryJson[] }>(`/api/v1/sessions/${data.id}/summary`)).executions) found.set(e.id, e.metrics);
    }
    rows = rows.map((r) => (found.has(r.id) ? { ...r, metrics: found.get(r.id)! } : r));
    render();
  }

  /** Counts the shown duration of each running execution on. */
  function tickDurations(): void {
    for (const e of rows) {
      if (e.state !== 'Running') continue;
      const td = table.querySelector<HTMLElement>(`tr[data-id="${e.id}"] td.duration`);
      if (td) td.textContent = formatDuration(duration(e));
    }
  }

  /** Where a (re)connect resumes: after the newest execution, plus those the page shows as not ended. */
  function resume(): Record<string, string> {
    const open = rows.filter((e) => e.endedAt === null).map((e) => e.id);
    return newest && open.length <= MAX_OPEN_IDS ? { after: newest, open: open.join(',') } : {};
  }

  async function load(): Promise<void> {
    const body = await getJson<{ executions: ExecutionSummaryJson[] }>(`/api/v1/sessions/${data.id}/summary`);
    rows = body.executions;
    rows.forEach((e) => readAt.set(e.id, performance.now()));
    newest = rows.at(-1)?.id;
    render();
    setInterval(tickDurations, 1000);
    follow<SessionFollowFrame>(`/api/v1/sessions/${data.id}/follow`, {
      resume,
      onConnection: (connected) => document.body.classList.toggle('offline', !connected),
      onFrame: (frame) => {
        if (frame.type === 'execution') apply(frame.execution);
      },
    });
  }

  /**
   * Overlays the metrics of the selected executions, one chart per key, with the chart tools above
   * the charts. Each execution's series are read in one request (its {@link PointsLoader}) when the
   * first chart comes into view; a zoom reads its range of one key per execution.
   */
  function compare(): void {
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
    chartsBox.replaceChildren(...figures);
    section.querySelector('.chart-tools')?.remove();
    const toolbar = el('div', 'chart-tools');
    chartsBox.before(toolbar);
    const charts: MetricChart[] = [];
    const settings = mountChartTools(toolbar, (next) => charts.forEach((c) => c.update(next)));
    const loaders = chosen.map((e) => {
      const loader = new PointsLoader(e.id);
      Object.keys(e.metrics).forEach((key) => loader.add(key));
      return loader;
    });
    figures.forEach((figure, i) => {
      const key = keys[i]!;
      // an execution without this key has an empty series: nothing to read
      const source = async (buckets: number, range?: XRange) =>
        Promise.all(
          chosen.map(async (e, j) =>
            !(key in e.metrics)
              ? { step: [], ts: [], value: [], total: 0, downsampled: false }
              : range
                ? (await fetchPoints(e.id, [key], settings.x, buckets, range)).get(key)!
                : loaders[j]!.series(key, settings.x, buckets),
          ),
        );
      charts.push(new MetricChart(figure, key, chosen.map(shownName), source, settings));
    });
    section.scrollIntoView();
  }

  void load();
}

/** The name a row shows: the execution's name, or the first 8 characters of its id. */
function shownName(e: ExecutionSummaryJson): string {
  return e.name ?? e.id.slice(0, 8);
}
