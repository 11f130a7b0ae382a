import uPlot from 'uplot';
import { el, getJson } from './dom.js';
import type { SeriesJson } from '../../protocol/responses.js';
import { formatLocalTime } from '../../report/format.js';

/** Settings shared by every chart of a page: x axis, log y, smoothing (0 = off, up to 0.99). */
export interface ChartSettings {
  x: 'step' | 'ts';
  logY: boolean;
  smoothing: number;
}

/** A point that arrived on the follow socket: `ts` in ms since epoch (NaN when unknown). */
export interface LivePoint {
  step: number;
  ts: number;
  value: number | null;
}

/** Fetches one series, downsampled to `buckets`, optionally in an x range. */
export type SeriesSource = (buckets: number, range?: { from: number; to: number }) => Promise<SeriesJson[]>;

/**
 * One metric series of one execution from `GET /api/v1/executions/:id/points` (docs/api.md),
 * downsampled by the server to `buckets` min/max pairs, optionally in an x range; an empty series
 * when the execution has no such key.
 */
export async function fetchSeries(
  executionId: string,
  key: string,
  x: ChartSettings['x'],
  buckets: number,
  range?: { from: number; to: number },
): Promise<SeriesJson> {
  const params = new URLSearchParams({ keys: key, buckets: String(buckets), x });
  if (range) {
    params.set('from', String(range.from));
    params.set('to', String(range.to));
  }
  const body = await getJson<{ series: Record<string, SeriesJson> }>(`/api/v1/executions/${executionId}/points?${params}`);
  return body.series[key] ?? { step: [], ts: [], value: [], total: 0, downsampled: false };
}

const COLORS = ['#2f81f7', '#d9480f', '#2b8a3e', '#ae3ec9', '#e67700', '#0c8599', '#c2255c', '#5c7cfa'];

/** Exponential moving average (TensorBoard's smoothing); nulls stay gaps. */
export function smooth(values: (number | null)[], factor: number): (number | null)[] {
  if (factor <= 0) return values;
  let last: number | null = null;
  return values.map((v) => {
    if (v === null) return null;
    last = last === null ? v : last * factor + v * (1 - factor);
    return last;
  });
}

/**
 * One chart of one metric key with one or more series (compare view): uPlot, data downsampled by
 * the server to about one bucket per pixel; a drag selects an x range that is fetched again at
 * full resolution (double click or "reset" goes back). Rendered on first view (lazy).
 */
export class MetricChart {
  readonly #figure: HTMLElement;
  readonly #labels: string[];
  readonly #source: SeriesSource;
  readonly #note: HTMLElement;
  readonly #reset: HTMLButtonElement;
  #settings: ChartSettings;
  #plot: uPlot | undefined;
  #series: SeriesJson[] = [];
  #range: { from: number; to: number } | undefined;
  #rendered = false;
  /** Live points that arrived while the series was being read (added once it is, when newer). */
  #early: Array<{ index: number; points: LivePoint[] }> | undefined;

  constructor(figure: HTMLElement, labels: string[], source: SeriesSource, settings: ChartSettings) {
    this.#figure = figure;
    this.#labels = labels;
    this.#source = source;
    this.#settings = settings;
    this.#note = el('p', 'chart-note');
    this.#reset = el('button', 'chart-reset', 'reset zoom');
    this.#reset.type = 'button';
    this.#reset.hidden = true;
    this.#reset.addEventListener('click', () => void this.zoom(undefined));
    figure.append(this.#note, this.#reset);
    new IntersectionObserver(
      (entries, observer) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        observer.disconnect();
        this.#rendered = true;
        void this.zoom(undefined);
      },
      { rootMargin: '200px' },
    ).observe(figure);
  }

  /** Applies new shared settings (x axis change refetches: buckets divide the x range). */
  update(settings: ChartSettings): void {
    const refetch = settings.x !== this.#settings.x;
    this.#settings = settings;
    if (!this.#rendered) return;
    if (refetch) void this.zoom(undefined);
    else this.#draw();
  }

  /** Fetches the x range (undefined: everything) again, at about one bucket per pixel. */
  async zoom(range: { from: number; to: number } | undefined): Promise<void> {
    this.#range = range;
    this.#figure.classList.add('loading');
    this.#early = range ? undefined : [];
    try {
      this.#series = await this.#source(this.#width(), range);
      const early = this.#early ?? [];
      this.#early = undefined;
      for (const { index, points } of early) {
        const s = this.#series[index];
        const last = s?.step.at(-1) ?? -Infinity;
        if (s)
          this.#push(
            s,
            points.filter((p) => p.step > last),
          );
      }
      this.#draw();
    } catch (error) {
      this.#note.textContent = `Could not load the points: ${(error as Error).message}`;
    } finally {
      this.#early = undefined;
      this.#figure.classList.remove('loading');
    }
  }

  /** Adds live points to series `index` (unzoomed charts only; a zoomed one keeps its range). */
  append(index: number, points: LivePoint[]): void {
    if (this.#early) {
      this.#early.push({ index, points });
      return;
    }
    const s = this.#series[index];
    if (!this.#rendered || this.#range || !s) return;
    this.#push(s, points);
    this.#draw();
  }

  #push(s: SeriesJson, points: LivePoint[]): void {
    for (const p of points) {
      s.step.push(p.step);
      s.ts.push(p.ts);
      s.value.push(p.value);
      s.total++;
    }
  }

  /** How many points the chart shows (for tests and the label). */
  get shown(): number {
    return this.#series.reduce((n, s) => n + s.value.length, 0);
  }

  #width(): number {
    return Math.max(200, Math.floor(this.#figure.clientWidth || 600));
  }

  #draw(): void {
    const { x, logY, smoothing } = this.#settings;
    const xs = this.#series.map((s) => (x === 'ts' ? s.ts.map((t) => t / 1000) : s.step));
    const ys = this.#series.map((s) => smooth(logY ? s.value.map((v) => (v !== null && v > 0 ? v : null)) : s.value, smoothing));
    const data = (xs.length === 1 ? [xs[0]!, ys[0]!] : uPlot.join(xs.map((xv, i) => [xv, ys[i]!] as uPlot.AlignedData))) as uPlot.AlignedData;
    const total = this.#series.reduce((n, s) => n + s.total, 0);
    const shown = this.shown;
    this.#note.textContent = `${total.toLocaleString('en-US')} points${shown < total ? `, downsampled to ${shown.toLocaleString('en-US')}` : ''}${this.#range ? ' (zoomed)' : ''}`;
    this.#figure.dataset.points = String(shown);
    this.#reset.hidden = !this.#range;
    this.#plot?.destroy();
    // canvas takes no `currentColor`: the axes take the page's text colour (light or dark)
    const ink = getComputedStyle(this.#figure).color;
    const tsOf = (seriesIndex: number, i: number) => this.#series[seriesIndex]?.ts[i];
    this.#plot = new uPlot(
      {
        width: this.#width(),
        height: 220,
        scales: { x: { time: x === 'ts' }, y: { distr: logY ? 3 : 1 } },
        cursor: { drag: { x: true, y: false, setScale: false } },
        legend: { live: true },
        series: [
          {
            label: x === 'ts' ? 'time' : 'step',
            value: (_u, v, _s, i) =>
              v === null || v === undefined
                ? '-'
                : x === 'ts'
                  ? formatLocalTime(v * 1000)
                  : `${v}${i !== null && tsOf(0, i) !== undefined && xs.length === 1 ? ` · ${formatLocalTime(tsOf(0, i)!)}` : ''}`,
          },
          ...this.#labels.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true, points: { show: shown <= 50 } })),
        ],
        axes: [
          {
            stroke: ink,
            grid: { stroke: 'rgba(128,128,128,0.2)' },
            // steps are whole numbers: no tick between them
            ...(x === 'step' ? { values: (_u: uPlot, splits: number[]) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')) } : {}),
          },
          { stroke: ink, grid: { stroke: 'rgba(128,128,128,0.2)' }, size: 60 },
        ],
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width < 2) return;
              const from = u.posToVal(u.select.left, 'x');
              const to = u.posToVal(u.select.left + u.select.width, 'x');
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              void this.zoom(x === 'ts' ? { from: from * 1000, to: to * 1000 } : { from, to });
            },
          ],
        },
      },
      data,
      this.#figure,
    );
    this.#plot.over.addEventListener('dblclick', () => void this.zoom(undefined));
  }
}
