import type uPlot from 'uplot';
import { BYTE_UNITS } from '../../report/format.js';

/** The y axis' tick font, gap and tick length: what {@link yAxis} sizes the axis for. */
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const GAP = 5;
const TICK = 10;

/** How an axis writes large values: in powers of `base` named `names`, from `from` on. */
interface Units {
  base: number;
  names: readonly string[];
  from: number;
}

/** `13.9M`, from 10 000 on (below it every digit is short enough). */
const DECIMAL: Units = { base: 1000, names: ['', 'K', 'M', 'B', 'T'], from: 10_000 };
/** `13.3 MiB` (a `*_bytes` key). */
const BINARY: Units = { base: 1024, names: BYTE_UNITS.map((u) => ` ${u}`), from: 1024 };

/** Tick spacings of a bytes axis: powers of two of each binary unit, so ticks fall on round MiB/GiB. */
const BYTE_INCRS = BYTE_UNITS.flatMap((_, unit) => [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((m) => m * 1024 ** unit));

let measure: CanvasRenderingContext2D | null | undefined;

/**
 * A y axis for the series of metric `key`: tick labels compact in one unit for the whole axis
 * (`13.9M`; binary units for a `*_bytes` key, whose ticks fall on round binary values: `12.5 MiB`),
 * each exact, and the axis as wide as its longest label.
 */
export function yAxis(key: string, stroke: string): uPlot.Axis {
  const bytes = key.endsWith('_bytes');
  return {
    stroke,
    font: FONT,
    gap: GAP,
    ticks: { size: TICK },
    grid: { stroke: 'rgba(128,128,128,0.2)' },
    ...(bytes ? { incrs: BYTE_INCRS } : {}),
    values: (_u, splits) => tickLabels(splits, bytes ? BINARY : DECIMAL),
    size: (_u, values) => Math.ceil(GAP + TICK + Math.max(0, ...(values ?? []).map(textWidth)) + 4),
  };
}

/**
 * The labels of `splits` (null: no label, as uPlot's log axes filter them) in the unit of the
 * largest one, with as many decimals as the most precise needs, so no label is rounded.
 */
function tickLabels(splits: Array<number | null>, units: Units): string[] {
  const values = splits.filter((v) => v !== null);
  const largest = Math.max(0, ...values.map(Math.abs));
  const power = largest < units.from ? 0 : Math.min(units.names.length - 1, Math.floor(Math.log(largest) / Math.log(units.base)));
  const scale = units.base ** power;
  const format = new Intl.NumberFormat('en-US', { maximumFractionDigits: decimals(values.map((v) => v / scale)) });
  return splits.map((v) => (v === null ? '' : `${format.format(v / scale)}${units.names[power]}`));
}

/** The fewest decimals (up to 12) that write each of `values` to within a millionth of their closest spacing. */
function decimals(values: number[]): number {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const gaps = sorted.slice(1).map((v, i) => v - sorted[i]!);
  const tolerance = 1e-6 * (gaps.length > 0 ? Math.min(...gaps) : Math.abs(sorted[0] ?? 1) || 1);
  for (let d = 0; d < 12; d++) if (values.every((v) => Math.abs(Number(v.toFixed(d)) - v) <= tolerance)) return d;
  return 12;
}

/** Width of `text` in CSS pixels in the axis font. */
function textWidth(text: string): number {
  measure ??= document.createElement('canvas').getContext('2d');
  if (!measure) return text.length * 7;
  measure.font = FONT;
  return measure.measureText(text).width;
}
