import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { requestJson } from '../../src/client/http.js';
import type { ExecutionJson, ReportJson } from '../../src/protocol/json.js';
import type { MetricSummary } from '../../src/protocol/types.js';
import { BIN, cliEnv, collect, type CliResult } from '../helpers/cli.js';

/** GET /api/v1/executions/:id */
export function getExecution(server: string, id: string): Promise<{ execution: ExecutionJson; metrics: Record<string, MetricSummary> }> {
  return requestJson(`${server}/api/v1/executions/${id}`);
}

/** Every stored report line of an execution, paging GET …/reports 10 000 at a time. */
export async function allReports(server: string, id: string): Promise<ReportJson[]> {
  const all: ReportJson[] = [];
  for (;;) {
    const { reports } = await requestJson<{ reports: ReportJson[] }>(`${server}/api/v1/executions/${id}/reports?after=${all.at(-1)?.seq ?? -1}&limit=10000`);
    if (reports.length === 0) return all;
    all.push(...reports);
  }
}

/** A started `exec-track <args>` process and its eventual result. */
export function startCli(
  args: string[],
  options: { home: string; env?: NodeJS.ProcessEnv; stdout?: 'pipe' | 'ignore' },
): { proc: ChildProcess; result: Promise<CliResult> } {
  const proc = spawn(process.execPath, [BIN, ...args], { env: cliEnv(options.home, options.env), stdio: ['pipe', options.stdout ?? 'pipe', 'pipe'] });
  return { proc, result: collect(proc, undefined, 240_000) };
}

/** The execution id from the start line `exec-track: execution <id> in session <id>`. */
export function executionIdOf(stderr: string): string {
  const id = /exec-track: execution (e_[A-Za-z0-9_-]{22}) in session/.exec(stderr)?.[1];
  if (!id) throw new Error(`no start line in stderr: ${stderr}`);
  return id;
}

/** exec-track's own stderr lines other than the start lines (execution, page URL) and the summary line (warnings and notices). */
export function notices(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('exec-track: '))
    .filter(
      (l) =>
        !/^exec-track: execution e_\S+ in session s_\S+$/.test(l) &&
        !/^exec-track: watch it at http\S+\/e\/e_\S+$/.test(l) &&
        !/^exec-track: (Passive|Execution crushed|Exec crushed) after /.test(l),
    );
}

/** Peak resident set (VmHWM, bytes) of a live process, from /proc; undefined once it is gone. */
export function peakRss(pid: number): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}
