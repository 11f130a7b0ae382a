import type { ExecutionSummaryJson } from '../../server/routes/page-reads.js';
import type { Session } from '../../protocol/types.js';
import { formatCommand, formatDuration, formatNumber } from '../../report/format.js';
import { isSystemMetric } from '../../protocol/system-metrics.js';
import { html, jsonBlock } from '../html.js';
import { badge, layout } from '../layout.js';

/** `/s/<id>`: one row per execution with its outcome and the last value of each metric. */
export function sessionPage(session: Session, executions: ExecutionSummaryJson[]): string {
  // the run's own metrics only, as in the terminal's session view; resource samples are on each execution's page
  const keys = [...new Set(executions.flatMap((e) => Object.keys(e.metrics)))].filter((key) => !isSystemMetric(key)).sort();
  return layout(
    session.title,
    html`<article class="session" data-id="${session.id}">
<h1>${session.title} <small>${executions.length} execution${executions.length === 1 ? '' : 's'}</small></h1>
<div class="table-tools" hidden></div>
<div class="table-wrap">
<table class="executions">
<thead><tr><th scope="col" class="pick"><span class="sr">compare</span></th><th scope="col" data-sort="state">state</th><th scope="col" data-sort="name">name</th><th scope="col" data-sort="command">command</th><th scope="col" data-sort="startedAt">started</th><th scope="col" data-sort="durationMs">duration</th><th scope="col" data-sort="exitCode">exit</th><th scope="col" data-sort="lineCount">lines</th>${keys.map((k) => html`<th scope="col" data-sort="m:${k}">${k}</th>`)}</tr></thead>
<tbody>${executions.map(
      (e) =>
        html`<tr data-id="${e.id}"><td class="pick"><input type="checkbox" aria-label="compare" value="${e.id}"></td><td>${badge(e.state)}</td><td><a href="/e/${e.id}">${e.name ?? e.id.slice(0, 8)}</a></td><td><code>${formatCommand(e.command)}</code></td><td>${e.startedAt ? html`<time datetime="${e.startedAt}" title="${e.startedAt}">${e.startedAt.replace('T', ' ').slice(0, 19)} UTC</time>` : '-'}</td><td>${formatDuration(e.durationMs)}</td><td>${e.exitCode ?? (e.signal || '-')}</td><td>${e.lineCount}</td>${keys.map((k) => html`<td>${e.metrics[k] ? formatNumber(e.metrics[k].last) : '-'}</td>`)}</tr>`,
    )}</tbody>
</table>
</div>
<section id="compare" class="compare" hidden aria-labelledby="compare-h"><h2 id="compare-h">Compare</h2><div class="charts"></div></section>
${jsonBlock('page-data', { page: 'session', id: session.id })}
</article>`,
  );
}
