import { MetricChart, type ChartSettings } from './chart.js';
import { mountChartTools } from './chart-tools.js';
import { el } from './dom.js';
import { follow } from './follow.js';
import { LogView, type Extent } from './log-view.js';
import { fetchPoints, PointsLoader, type LivePoint, type XRange } from './points.js';
import { mountSearch } from './search.js';
import { SummaryTable } from './summary-table.js';
import type { FollowFrame } from '../../protocol/frames.js';
import type { ExecutionJson, MetricSummaryJson } from '../../protocol/responses.js';
import type { ExecutionState } from '../../protocol/states.js';
import { countOf, formatDuration, formatOutcome } from '../../report/format.js';
import { isSystemMetric } from '../../protocol/system-metrics.js';
import { localizeTimes } from './times.js';

interface ExecutionPageData {
  id: string;
  state: ExecutionState;
  /** As of the page's rendering. */
  durationMs: number | null;
  /** Lines stored as of the page's rendering. */
  lineCount: number;
  metrics: Record<string, MetricSummaryJson>;
  extent: Extent;
}

/**
 * The execution page: charts per metric key, the virtualized log with search and permalinks, live
 * updates while Running (log, charts, metric summary, duration and outcome).
 */
export function mountExecutionPage(data: ExecutionPageData): void {
  const charts = new ChartSet(data.id);
  for (const figure of document.querySelectorAll<HTMLElement>('figure.chart[data-key]')) charts.mount(figure);
  const summary = new SummaryTable(data.metrics, () => metricsSection().querySelector<HTMLTableElement>('table.summary')!.tBodies[0]!);

  const tools = document.querySelector<HTMLElement>('.log-tools')!;
  tools.hidden = false;
  const log = new LogView(data.id, document.getElementById('log-view')!, data.extent, tools);
  mountSearch(data.id, log, tools);
  const reveal = () => {
    const n = /^#L(\d+)$/.exec(location.hash)?.[1];
    if (n) log.reveal(Number(n) - 1);
    else log.scrollToEnd();
  };
  window.addEventListener('hashchange', reveal);
  reveal();

  if (data.state !== 'Running') return;
  const duration = runningDuration(data.durationMs);
  let lastSeq = data.extent.lastSeq;
  let lineCount = data.lineCount;
  // resource samples and explicit points take seqs of their own, so points may run ahead of lines
  let pointSeq = data.extent.lastSeq;
  follow<FollowFrame>(`/api/v1/executions/${data.id}/follow`, {
    resume: () => ({ after: String(lastSeq), pointsAfter: String(pointSeq) }),
    onConnection: (connected) => document.body.classList.toggle('offline', !connected),
    onFrame: (frame) => {
      if (frame.type === 'reports') {
        log.addLive(frame.reports);
        // the heading's count, until the final execution frame gives the stored one (the quota keeps at most `quota`)
        lineCount = Math.min(data.extent.quota, lineCount + frame.reports.filter((r) => r.seq > lastSeq).length);
        showLineCount(lineCount);
        if (frame.reports.length > 0) lastSeq = Math.max(lastSeq, frame.reports.at(-1)!.seq);
      } else if (frame.type === 'metrics') {
        const byKey = new Map<string, LivePoint[]>();
        for (const p of frame.points) {
          pointSeq = Math.max(pointSeq, p.seq);
          const list = byKey.get(p.key) ?? [];
          // a point whose stored time was impossible (builds before schema 3) has no place on a time axis: NaN
          list.push({ step: p.step, ts: p.ts === null ? Number.NaN : Date.parse(p.ts), value: p.value });
          byKey.set(p.key, list);
        }
        byKey.forEach((points, key) => {
          charts.append(key, points);
          summary.add(key, points);
        });
      } else if (frame.type === 'execution') {
        showExecution(frame.execution);
        duration.update(frame.execution);
      }
    },
  });
}

/**
 * The charts of the page, one per metric key, sharing one set of chart tools and one
 * {@link PointsLoader}: the first chart in view reads every key's series in one request, the others
 * take theirs from it. A key first seen in live points gets its chart (and the metrics section,
 * when the page had none) without reload; the new chart reads its series when it comes into view.
 */
class ChartSet {
  readonly #id: string;
  readonly #points: PointsLoader;
  readonly #charts = new Map<string, MetricChart>();
  #settings: ChartSettings | undefined;

  constructor(id: string) {
    this.#id = id;
    this.#points = new PointsLoader(id);
  }

  /** Makes a chart of the server-rendered `figure[data-key]`. */
  mount(figure: HTMLElement): void {
    const key = figure.dataset.key!;
    const settings = this.#tools();
    this.#points.add(key);
    // a zoom reads its range of this key alone
    const source = async (buckets: number, range?: XRange) => [
      range ? (await fetchPoints(this.#id, [key], settings.x, buckets, range)).get(key)! : await this.#points.series(key, settings.x, buckets),
    ];
    this.#charts.set(key, new MetricChart(figure, key, [key], source, settings));
  }

  /** Adds live points to the chart of `key`, making the chart first when the key is new. */
  append(key: string, points: LivePoint[]): void {
    if (!this.#charts.has(key)) this.mount(this.#newFigure(key));
    this.#points.append(key, points);
    this.#charts.get(key)!.append(0, points);
  }

  /** The settings of the page's chart tools, mounted once (in the metrics section, made if missing). */
  #tools(): ChartSettings {
    this.#settings ??= mountChartTools(metricsSection().querySelector<HTMLElement>('.chart-tools')!, (next) => this.#charts.forEach((c) => c.update(next)));
    return this.#settings;
  }

  #newFigure(key: string): HTMLElement {
    const figure = el('figure', 'chart');
    figure.dataset.key = key;
    figure.append(el('figcaption', '', key));
    this.#chartsFor(key).append(figure);
    return figure;
  }

  /** Where a chart of `key` goes: the run's own keys first, the resource samples after under their heading (as the server renders them). */
  #chartsFor(key: string): HTMLElement {
    const section = metricsSection();
    if (!isSystemMetric(key)) return section.querySelector<HTMLElement>('.charts:not(.system)')!;
    const existing = section.querySelector<HTMLElement>('.charts.system');
    if (existing) return existing;
    const charts = el('div', 'charts system');
    section.append(el('h3', 'system', 'Resources (sampled by exec-track)'), charts);
    return charts;
  }
}

/** The metrics section, made as the server renders it (summary table, chart tools, charts) when the page had no metrics. */
function metricsSection(): HTMLElement {
  const existing = document.querySelector<HTMLElement>('section.metrics');
  if (existing) return existing;
  const section = el('section', 'metrics');
  section.setAttribute('aria-labelledby', 'metrics-h');
  const heading = el('h2', '', 'Metrics');
  heading.id = 'metrics-h';
  const table = el('table', 'summary');
  const head = table.createTHead().insertRow();
  for (const name of ['key', 'last', 'min', 'max', 'points']) {
    const th = el('th', '', name);
    th.scope = 'col';
    head.append(th);
  }
  table.createTBody();
  const wrap = el('div', 'table-wrap');
  wrap.append(table);
  section.append(heading, wrap, el('div', 'chart-tools'), el('div', 'charts'));
  document.getElementById('no-metrics')!.replaceWith(section);
  return section;
}

/**
 * The header's duration of a Running execution, counted on each second from the server's value
 * (as of the page or of the last `execution` frame, so the viewer's clock does not matter) until a
 * frame says the execution has ended.
 */
function runningDuration(initial: number | null): { update: (e: ExecutionJson) => void } {
  const field = document.querySelector<HTMLElement>('[data-field="duration"]')!;
  let base = initial;
  let since = performance.now();
  const timer = setInterval(() => {
    if (base !== null) field.textContent = formatDuration(base + performance.now() - since);
  }, 1000);
  return {
    update: (e) => {
      base = e.durationMs;
      since = performance.now();
      if (e.state !== 'Running') clearInterval(timer);
    },
  };
}

/** Updates the header (badge, end, duration, outcome) from a follow frame. */
function showExecution(e: ExecutionJson): void {
  const badge = document.querySelector<HTMLElement>('h1 .state');
  if (badge) {
    badge.textContent = e.state;
    badge.dataset.state = e.state;
    badge.className = `state state-${e.state.toLowerCase().replace(/\s+/g, '-')}`;
  }
  const field = (name: string) => document.querySelector<HTMLElement>(`[data-field="${name}"]`);
  field('duration')!.textContent = formatDuration(e.durationMs);
  showLineCount(e.lineCount);
  if (e.endedAt) {
    const time = document.createElement('time');
    time.dateTime = e.endedAt;
    field('ended')!.replaceChildren(time);
    localizeTimes(field('ended')!);
  }
  if (e.state !== 'Running') {
    field('outcome')!.textContent = formatOutcome(e);
  }
}

/** The line count beside the log's heading. */
function showLineCount(count: number): void {
  const small = document.querySelector('.log h2 small');
  if (small) small.textContent = countOf(count, 'line');
}
