import { fetchSeries, MetricChart, type ChartSettings } from './chart.js';
import { mountChartTools } from './chart-tools.js';
import { follow } from './follow.js';
import { LogView, type Extent } from './log-view.js';
import { mountSearch } from './search.js';
import type { ExecutionJson } from '../../protocol/responses.js';
import type { ExecutionState } from '../../protocol/states.js';
import { formatDuration } from '../../report/format.js';
import { localizeTimes } from './times.js';

interface ExecutionPageData {
  id: string;
  state: ExecutionState;
  keys: string[];
  extent: Extent;
}

/** The execution page: charts per metric key, the virtualized log with search and permalinks, live updates while Running. */
export function mountExecutionPage(data: ExecutionPageData): void {
  const charts = new Map<string, MetricChart>();
  const chartTools = document.querySelector<HTMLElement>('.chart-tools');
  let settings: ChartSettings = { x: 'step', logY: false, smoothing: 0 };
  if (chartTools) settings = mountChartTools(chartTools, (next) => charts.forEach((c) => c.update(next)));
  for (const figure of document.querySelectorAll<HTMLElement>('figure.chart[data-key]')) {
    const key = figure.dataset.key!;
    const source = async (buckets: number, range?: { from: number; to: number }) => [await fetchSeries(data.id, key, settings.x, buckets, range)];
    charts.set(key, new MetricChart(figure, [key], source, settings));
  }

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
  let lastSeq = data.extent.lastSeq;
  follow(data.id, {
    lastSeq: () => lastSeq,
    onConnection: (connected) => document.body.classList.toggle('offline', !connected),
    onFrame: (frame) => {
      if (frame.type === 'reports') {
        log.addLive(frame.reports);
        if (frame.reports.length > 0) lastSeq = Math.max(lastSeq, frame.reports.at(-1)!.seq);
      } else if (frame.type === 'metrics') {
        const byKey = new Map<string, Array<{ step: number; ts: number; value: number | null }>>();
        for (const p of frame.points) {
          const list = byKey.get(p.key) ?? [];
          // a point whose stored time was impossible (builds before schema 3) has no place on a time axis: NaN
          list.push({ step: p.step, ts: p.ts === null ? Number.NaN : Date.parse(p.ts), value: p.value });
          byKey.set(p.key, list);
        }
        byKey.forEach((points, key) => charts.get(key)?.append(0, points));
      } else if (frame.type === 'execution') {
        showExecution(frame.execution);
      }
    },
  });
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
  if (e.endedAt) {
    const time = document.createElement('time');
    time.dateTime = e.endedAt;
    field('ended')!.replaceChildren(time);
    localizeTimes(field('ended')!);
  }
  if (e.state !== 'Running') {
    const parts = [e.exitCode !== null ? `exit code ${e.exitCode}` : null, e.signal ? `signal ${e.signal}` : null, e.reason].filter(Boolean);
    field('outcome')!.textContent = parts.length > 0 ? parts.join(' · ') : '-';
  }
}
