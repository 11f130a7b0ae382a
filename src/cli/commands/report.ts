import { resolveServer } from '../../config/settings.js';
import { ExecTrackError } from '../../errors.js';
import { handleError } from '../handle-error.js';
import type { CommandIo } from '../io.js';
import { colorLevel, createPalette } from '../../report/colors.js';
import { followExecution, followSession } from '../../report/follow.js';
import { createOutput } from '../../report/output.js';
import { showExecution, showSession, type ReportFormat } from '../../report/show.js';
import type { LineSelection, Source } from '../../report/source.js';

/** Options of `exec-track report` as commander parses them (src/cli/main.ts). */
export interface ReportOptions {
  json?: boolean;
  lines: string;
  follow?: boolean;
  server?: string;
  metric: string[];
  sort?: string;
  chart?: string;
  points?: boolean;
  format?: ReportFormat;
}

/** `--lines <n|all>` → a line selection. Throws USAGE for anything else. */
export function parseLines(value: string): LineSelection {
  if (value === 'all') return { all: true };
  if (/^\d+$/.test(value) && Number.isSafeInteger(Number(value))) return { tail: Number(value) };
  throw new ExecTrackError('USAGE', `--lines expects a whole number of lines or "all", got "${value}".`);
}

/** The server's source or the embedded store's, importing only the one needed (sqlite, or http and ws). */
async function openSource(server: string | undefined, env: NodeJS.ProcessEnv): Promise<Source> {
  if (server) return new (await import('../../report/remote-source.js')).RemoteSource(server, { env });
  return new (await import('../../report/local-source.js')).LocalSource({ env });
}

function parseFormat(opts: ReportOptions): ReportFormat {
  if (opts.json && opts.format && opts.format !== 'json') {
    throw new ExecTrackError('USAGE', `--json and --format ${opts.format} ask for two formats; use one of them.`);
  }
  const format = opts.json ? 'json' : (opts.format ?? 'text');
  if (opts.points && format !== 'json') throw new ExecTrackError('USAGE', '--points adds metric points to the JSON document; use it with --json.');
  if (opts.chart !== undefined && format !== 'text') throw new ExecTrackError('USAGE', '--chart draws in the terminal; leave out --json / --format to use it.');
  if (opts.follow && format === 'csv') throw new ExecTrackError('USAGE', '--follow prints text or JSON events; leave out --format csv to use it.');
  return format;
}

/**
 * `exec-track report [target]`: the session view, the execution view, their JSON/CSV, or a live
 * follow. Reads the embedded store, or the server from `--server` / EXEC_TRACK_SERVER / config.
 * Returns the exit code: 0, or with `--follow` on an execution the execution's own exit code
 * (128+N for a signal, 1 for an Exec crushed without one, 130/143 when interrupted by SIGINT/SIGTERM).
 * Throws ExecTrackError: USAGE (exit 2) for bad options or a malformed target; NOT_FOUND / NO_RUNS
 * (exit 1) when there is nothing to show, SERVER_UNREACHABLE (exit 1) from a server.
 */
export async function reportCommand(target: string | undefined, opts: ReportOptions, io: CommandIo): Promise<number> {
  const { env } = io;
  const lines = parseLines(opts.lines);
  const format = parseFormat(opts);
  const server = resolveServer(opts.server, env);
  const source = await openSource(server, env);
  const out = createOutput(io.stdout);
  const palette = createPalette(format === 'text' ? colorLevel(io.stdout, env) : 0);
  try {
    const resolved = await source.resolve(target);
    if (opts.chart !== undefined && resolved.kind === 'session') {
      throw new ExecTrackError(
        'USAGE',
        `--chart draws one execution's metric, and ${resolved.id} is a session; give an execution id (\`exec-track report e_… --chart ${opts.chart}\`), or compare the session's executions with \`--metric ${opts.chart}\`.`,
      );
    }
    if (opts.follow) {
      const controller = new AbortController();
      const stop = (signal: NodeJS.Signals) => controller.abort(signal);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const follow = { out, palette, json: format === 'json', lines, signal: controller.signal };
        return resolved.kind === 'execution' ? await followExecution(source, resolved.id, follow) : await followSession(source, resolved.id, follow);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    }
    const show = { out, palette, format, lines, points: Boolean(opts.points), chart: opts.chart, metrics: opts.metric, sort: opts.sort, spinner: io.stderr };
    if (resolved.kind === 'execution') await showExecution(source, resolved.id, show);
    else await showSession(source, resolved.id, show);
    return 0;
  } catch (error) {
    // `--format json` asks for JSON errors as much as `--json` does, which the top-level handler cannot see
    if (format === 'json') return handleError(error, true, io.stderr);
    throw error;
  } finally {
    await source.close();
  }
}
