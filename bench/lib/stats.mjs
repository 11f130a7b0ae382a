/**
 * Pure helpers of the benchmark harness: medians, ratios, verdicts and the results table.
 * No I/O here, so test/bench can check them without timing anything.
 */

/** Median of a non-empty list of numbers (mean of the two middle values for an even count). */
export function median(values) {
  if (values.length === 0) throw new Error('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * One benchmark row from its measured samples.
 * @param {object} spec `{ id, what, unit: 'ms'|'MB', target, baselineSamples?, samples, ok, note? }`;
 *   `target` is a ratio bound when there is a baseline, else an absolute bound in `unit`, or null
 *   for a reference row (printed for comparison, no verdict on speed);
 *   `ok` is false when any run stored the wrong lines (a fast wrong answer fails).
 * @returns {object} `{ id, what, unit, baseline, value, ratio, target, pass, ok, samples, baselineSamples, note }`
 */
export function makeRow(spec) {
  const baseline = spec.baselineSamples?.length ? median(spec.baselineSamples) : null;
  const value = median(spec.samples);
  const ratio = baseline === null ? null : value / baseline;
  const measured = ratio ?? value;
  const pass = spec.ok && (spec.target === null || measured <= spec.target);
  return {
    id: spec.id,
    what: spec.what,
    unit: spec.unit,
    baseline,
    value,
    ratio,
    target: spec.target,
    pass,
    ok: spec.ok,
    samples: spec.samples,
    baselineSamples: spec.baselineSamples ?? [],
    note: spec.note ?? null,
  };
}

/**
 * A row not measured because a program it needs is missing (bench/lib/tools.mjs): no figures, verdict
 * `skip`, and the install command as its note. It counts as neither a pass nor a wrong answer.
 */
export function skippedRow({ id, what, unit, note }) {
  return {
    id,
    what,
    unit,
    baseline: null,
    value: null,
    ratio: null,
    target: null,
    pass: true,
    ok: true,
    skipped: true,
    samples: [],
    baselineSamples: [],
    note,
  };
}

/** A number with its unit for the table: ms below 10 s, seconds above; MB with one decimal. */
export function formatValue(value, unit) {
  if (value === null) return '—';
  if (unit === 'MB') return `${value.toFixed(1)} MB`;
  if (unit === 'B') return `${value.toFixed(1)} B`;
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

/** The target as printed: `≤ 2.0×` for a ratio, `≤ 150 MB` for an absolute bound. */
export function formatTarget(row) {
  if (row.target === null) return '—';
  return row.baseline === null ? `≤ ${row.target} ${row.unit}` : `≤ ${row.target.toFixed(2)}×`;
}

/** The verdict as printed: `pass`, `FAIL`, `ref` for a reference row, `skip` for a row not measured, or `WRONG` when the stored lines were not exactly right. */
export function verdict(row) {
  if (row.skipped) return 'skip';
  if (!row.ok) return 'WRONG';
  if (row.target === null) return 'ref';
  return row.pass ? 'pass' : 'FAIL';
}

/** Rows as an aligned plain-text table (name, baseline, exec-track, ratio, target, pass/fail), then notes. */
export function formatTable(rows) {
  const header = ['name', 'baseline', 'exec-track', 'ratio', 'target', 'result'];
  const body = rows.map((r) => [
    `${r.id} ${r.what}`,
    formatValue(r.baseline, r.unit),
    formatValue(r.value, r.unit),
    r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`,
    formatTarget(r),
    verdict(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.id}: ${r.note}`);
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}
