import { plot } from 'asciichart';
import type { MetricPoint } from '../protocol/types.js';
import { formatNumber } from './format.js';
import { resample } from './sparkline.js';

/** Terminal size to fit a chart into (cells). */
export interface ChartSize {
  columns: number;
  rows: number;
}

const LABEL_WIDTH = 12;

/**
 * A line chart (asciichart) of one metric series, its points in step order, resampled to fit
 * `size`: the width less the axis labels, the height less a few rows for the title and prompt.
 * Non-finite points are left out; the axis spans the series' true min and max. Returns the title line and the plot.
 */
export function renderChart(key: string, points: readonly MetricPoint[], size: ChartSize): string {
  const values = points.map((p) => p.value).filter(Number.isFinite);
  const title = `${key}: ${values.length} points, steps ${points[0]?.step ?? '-'}…${points.at(-1)?.step ?? '-'}`;
  if (values.length === 0) return `${title}\n(no finite values to draw)`;
  const width = Math.max(10, size.columns - LABEL_WIDTH - 2);
  const height = Math.max(4, Math.min(30, size.rows - 6));
  const series = resample(values, width);
  // the axis spans the true range: resampling averages buckets, which would hide the extremes
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const chart = plot(series, {
    height,
    min,
    max,
    format: (x) => formatNumber(Number(x.toPrecision(4))).padStart(LABEL_WIDTH - 2),
  });
  return `${title}\n${chart}`;
}
