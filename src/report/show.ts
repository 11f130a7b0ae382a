import { partitionMetrics } from '../protocol/system-metrics.js';
import { ExecTrackError } from '../errors.js';
import type { Palette } from './colors.js';
import { CSV_HEADER, csvRows } from './csv.js';
import { renderChart } from './chart.js';
import { renderExecutionHeader, renderLines, renderLogCaption, renderMetricsTable } from './execution-view.js';
import { sessionDocument, writeExecutionDocument } from './json.js';
import type { Output } from './output.js';
import { renderSessionView } from './session-view.js';
import type { LineSelection, Source } from './source.js';
import { startSpinner } from './spinner.js';

/** Output format of `report`. */
export type ReportFormat = 'text' | 'json' | 'csv';

/** What `report` shows and how (merged from the command line once). */
export interface ShowOptions {
  out: Output;
  palette: Palette;
  format: ReportFormat;
  lines: LineSelection;
  /** `--json --points`: every metric point in the document. */
  points: boolean;
  /** `--chart <key>`: a line chart of that metric under the metrics table. */
  chart?: string;
  /** `--metric` columns of the session view. */
  metrics: string[];
  /** `--sort` of the session view. */
  sort?: string;
  /** Where to show a spinner while fetching (a command's stderr; TTY only), or nowhere. */
  spinner?: NodeJS.WriteStream;
}

/** Prints an execution as text, JSON (DESIGN §4 + metrics, + points) or CSV of its metric points. */
export async function showExecution(source: Source, id: string, o: ShowOptions): Promise<void> {
  const spinner = startSpinner(`Reading ${id} from the ${source.label}`, o.spinner);
  try {
    const data = await source.execution(id);
    if (o.format === 'csv') {
      const rows = csvRows(id, await source.points(id));
      spinner.stop();
      await o.out.write(`${CSV_HEADER}\n${rows}`);
      return;
    }
    const hasMetrics = Object.keys(data.metrics).length > 0;
    const { own, system } = partitionMetrics(data.metrics);
    if (o.format === 'json') {
      const points = o.points ? await source.points(id) : undefined;
      const pages = source.reports(id, o.lines);
      spinner.stop();
      await writeExecutionDocument(o.out, data, pages, points);
      return;
    }
    if (o.chart !== undefined && !(o.chart in data.metrics)) {
      const keys = Object.keys(data.metrics).join(', ') || 'none';
      throw ExecTrackError.of('NOT_FOUND', { thing: `metric "${o.chart}" in execution ${id} (its metrics: ${keys})`, hint: 'pick one of those for --chart' });
    }
    const points = hasMetrics ? await source.points(id) : [];
    spinner.stop();
    const blocks = [renderExecutionHeader(data.execution, o.palette, o.out.columns)];
    // the run's own metrics first, the wrapper's resource samples (sys/…) in a table of their own
    for (const [group, header] of [
      [own, 'metric'],
      [system, 'resource'],
    ] as const) {
      if (Object.keys(group).length > 0) blocks.push(renderMetricsTable(group, points, o.out.columns, o.palette, header));
    }
    if (o.chart !== undefined) {
      const size = { columns: Number.isFinite(o.out.columns) ? o.out.columns : 80, rows: o.out.rows };
      blocks.push(
        renderChart(
          o.chart,
          points.filter((p) => p.key === o.chart),
          size,
        ),
      );
    }
    const total = data.execution.lineCount;
    blocks.push(renderLogCaption('tail' in o.lines ? Math.min(o.lines.tail, total) : total, total, o.palette));
    await o.out.write(`${blocks.join('\n\n')}\n`);
    if ('tail' in o.lines && o.lines.tail === 0) return;
    for await (const page of source.reports(id, o.lines)) {
      if (page.length > 0) await o.out.write(`${renderLines(page, o.palette)}\n`);
      if (o.out.closed) return;
    }
  } finally {
    spinner.stop();
  }
}

/** Prints a session as the comparison table, JSON (DESIGN §4) or CSV of all its executions' metric points. */
export async function showSession(source: Source, id: string, o: ShowOptions): Promise<void> {
  const spinner = startSpinner(`Reading ${id} from the ${source.label}`, o.spinner);
  try {
    const data = await source.session(id);
    if (o.format === 'json') {
      spinner.stop();
      await o.out.write(`${JSON.stringify(sessionDocument(data))}\n`);
      return;
    }
    if (o.format === 'csv') {
      const rows: string[] = [];
      for (const e of data.executions) rows.push(csvRows(e.id, await source.points(e.id)));
      spinner.stop();
      await o.out.write(`${CSV_HEADER}\n${rows.join('')}`);
      return;
    }
    const summaries = await source.summaries(data.executions);
    spinner.stop();
    await o.out.write(`${renderSessionView(data, summaries, { metrics: o.metrics, sort: o.sort, width: o.out.columns, palette: o.palette })}\n`);
  } finally {
    spinner.stop();
  }
}
