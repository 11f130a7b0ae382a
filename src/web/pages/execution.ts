import { durationMs } from '../../protocol/json.js';
import type { Execution, MetricSummary, ReportLine } from '../../protocol/types.js';
import { countOf, formatCommand, formatDuration, formatNumber, formatOutcome } from '../../report/format.js';
import { isSystemMetric } from '../../protocol/system-metrics.js';
import type { LogExtent } from '../../store/store.js';
import { html, jsonBlock, type SafeHtml } from '../html.js';
import { badge, layout, timeTag } from '../layout.js';

/** What the execution page shows, read by the plugin in a handful of store calls. */
export interface ExecutionPageData {
  execution: Execution;
  metrics: Record<string, MetricSummary>;
  /** The last lines, rendered into the page so it shows the end of the log without script. */
  tail: ReportLine[];
  extent: LogExtent;
  now: number;
}

/** `/e/<id>`: header with the outcome, a metric summary with one chart slot per key, and the log. */
export function executionPage(d: ExecutionPageData): string {
  const e = d.execution;
  const keys = Object.keys(d.metrics);
  const title = e.name ?? formatCommand(e.command);
  return layout(
    title,
    html`<article class="execution" data-id="${e.id}">
<h1>${badge(e.state)} <span class="title">${title}</span></h1>
<dl class="facts">
<dt>Command</dt><dd><code>${formatCommand(e.command)}</code></dd>
<dt>Host</dt><dd>${e.host || '-'}</dd>
<dt>Directory</dt><dd><code>${e.cwd || '-'}</code></dd>
<dt>Started</dt><dd>${timeTag(e.startedAt)}</dd>
<dt>Ended</dt><dd data-field="ended">${timeTag(e.endedAt)}</dd>
<dt>Duration</dt><dd data-field="duration">${formatDuration(durationMs(e, d.now))}</dd>
<dt>Outcome</dt><dd data-field="outcome">${outcome(e)}</dd>
<dt>Session</dt><dd><a href="/s/${e.sessionId}">all executions of the session</a></dd>
</dl>
${keys.length > 0 ? metricsSection(d.metrics) : html`<p class="none" id="no-metrics">No metrics read from this output.</p>`}
<section class="log" aria-labelledby="log-h">
<h2 id="log-h">Log <small>${countOf(e.lineCount, 'line')}</small></h2>
<div class="log-tools" hidden></div>
<div id="log-view" class="log-view" tabindex="0">
<ol class="lines">${d.tail.map((l) => lineItem(l, l.seq === markerSeq(d.extent)))}</ol>
</div>
<p><a href="/api/v1/executions/${e.id}/raw" download>Download the raw log</a></p>
</section>
${jsonBlock('page-data', { page: 'execution', id: e.id, state: e.state, durationMs: durationMs(e, d.now), lineCount: e.lineCount, metrics: d.metrics, extent: d.extent })}
</article>`,
  );
}

function outcome(e: Execution): SafeHtml {
  if (e.state === 'Running') return html`running`;
  return html`${formatOutcome(e)}`;
}

function metricsSection(metrics: Record<string, MetricSummary>): SafeHtml {
  return html`<section class="metrics" aria-labelledby="metrics-h">
<h2 id="metrics-h">Metrics</h2>
<div class="table-wrap"><table class="summary"><thead><tr><th scope="col">key</th><th scope="col">last</th><th scope="col">min</th><th scope="col">max</th><th scope="col">points</th></tr></thead>
<tbody>${Object.entries(metrics).map(
    ([key, s]) =>
      html`<tr data-key="${key}"><th scope="row">${key}</th><td>${formatNumber(s.last)}</td><td>${formatNumber(s.min)}</td><td>${formatNumber(s.max)}</td><td>${s.count}</td></tr>`,
  )}</tbody></table></div>
<div class="chart-tools" hidden></div>
${chartsOf(Object.keys(metrics))}
</section>`;
}

/**
 * The chart figures: the run's own keys first, then the wrapper's resource samples (`sys/…`) under
 * their own heading, kept apart as in the terminal report (src/protocol/system-metrics.ts). The live
 * page (src/web/client/execution-page.ts) puts a key it first sees into the same two places.
 */
function chartsOf(keys: string[]): SafeHtml {
  const figure = (key: string) => html`<figure class="chart" data-key="${key}"><figcaption>${key}</figcaption></figure>`;
  const system = keys.filter(isSystemMetric);
  return html`<div class="charts">${keys.filter((key) => !isSystemMetric(key)).map(figure)}</div>
${system.length > 0 ? html`<h3 class="system">Resources (sampled by exec-track)</h3><div class="charts system">${system.map(figure)}</div>` : ''}`;
}

/** One log line: its number (seq + 1, a permalink `#L<n>`) and its text; stderr and the quota marker marked. */
export function lineItem(l: ReportLine, marker: boolean): SafeHtml {
  const n = l.seq + 1;
  if (marker) return html`<li class="quota"><span class="ln">&hellip;</span><span class="tx">${l.text}</span></li>`;
  return html`<li id="L${n}" class="${l.stream === 'stderr' ? 'err' : ''}"><a class="ln" href="#L${n}">${n}</a><span class="tx">${l.text}</span></li>`;
}

/** Seq of the line-quota marker (the first dropped seq), or -1 while nothing is dropped. */
function markerSeq(extent: LogExtent): number {
  return extent.lastSeq + 1 > extent.quota ? Math.floor(extent.quota / 2) : -1;
}
