import uPlot from 'uplot';
import { yAxis } from './axis.js';
import { el } from './dom.js';
import { pushNewer, type LivePoint, type XAxis, type XRange } from './points.js';
import type { SeriesJson } from '../../protocol/responses.js';
import { formatLocalTime } from '../../report/format.js';

/** Settings shared by every chart of a page: x axis, log y, smoothing (0 = off, up to 0.99). */
export interface ChartSettings {
  x: XAxis;
  logY: boolean;
  smoothing: number;
}

/** Reads the series of a chart, downsampled to about `buckets` buckets, optionally in an x range. */
export type SeriesSource = (buckets: number, range?: XRange) => Promise<SeriesJson[]>;

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
 * full resolution (double click or "reset" goes back). Read and drawn on first view (lazy), and
 * redrawn at its box's width when that changes (resize, rotation).
 */
export class MetricChart {
  readonly #figure: HTMLElement;
  readonly #key: string;
  readonly #labels: string[];
  readonly #source: SeriesSource;
  readonly #note: HTMLElement;
  readonly #reset: HTMLButtonElement;
  #settings: ChartSettings;
  #plot: uPlot | undefined;
  #series: SeriesJson[] = [];
  #range: XRange | undefined;
  #rendered = false;
  /** Counts reads, so the answer of one that a later one overtook is dropped. */
  #reads = 0;
  /** True while the whole series is being read (its source keeps the live points of that time). */
  #reading = false;

  constructor(figure: HTMLElement, key: string, labels: string[], source: SeriesSource, settings: ChartSettings) {
    this.#figure = figure;
    this.#key = key;
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
    new ResizeObserver(() => {
      const width = this.#width();
      if (this.#plot && this.#plot.width !== width) this.#plot.setSize({ width, height: this.#plot.height });
    }).observe(figure);
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
  async zoom(range: XRange | undefined): Promise<void> {
    const read = ++this.#reads;
    this.#range = range;
    this.#reading = !range;
    this.#figure.classList.add('loading');
    try {
      const series = await this.#source(this.#width(), range);
      if (read !== this.#reads) return;
      this.#series = series;
      this.#draw();
    } catch (error) {
      if (read === this.#reads) this.#note.textContent = `Could not load the points: ${(error as Error).message}`;
    } finally {
      if (read === this.#reads) {
        this.#reading = false;
        this.#figure.classList.remove('loading');
      }
    }
  }

  /** Adds live points to series `index` (drawn charts showing everything only; a zoomed one keeps its range). */
  append(index: number, points: LivePoint[]): void {
    const s = this.#series[index];
    if (!this.#rendered || this.#reading || this.#range || !s) return;
    pushNewer(s, points);
    this.#draw();
  }

  /** How many points the chart shows (for tests and the label). */
  get shown(): number {
    return this.#series.reduce((n, s) => n + s.value.length, 0);
  }

  /** The plot's width: the figure's content box (its padding left out). */
  #width(): number {
    const style = getComputedStyle(this.#figure);
    const content = this.#figure.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return Math.max(200, Math.floor(content || 600));
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
          yAxis(this.#key, ink),
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
