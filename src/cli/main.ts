import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../version.js';
import { DEFAULTS, durationText, sizeText } from '../defaults.js';
import { handleError } from './handle-error.js';
import { processIo } from './io.js';

const io = processIo();
/** Whether the command that runs was asked for JSON (`--json`): then an error is a JSON document too. */
let json = false;

/**
 * The CLI's parser glue (thin layer): each action parses options and calls one typed function in
 * `./commands/<name>.js`, imported lazily so `--help` and `run` start fast. Every command takes the
 * process's streams ({@link processIo}) and resolves with its exit code, which only this file sets.
 * Option defaults come from the one table, src/defaults.ts.
 */
const program = new Command('exec-track')
  .description('Track long-running commands: output, metrics and outcome, locally or on a server.')
  .version(VERSION)
  .showSuggestionAfterError()
  // `run` passes everything after its own options through to the command (passThroughOptions needs this)
  .enablePositionalOptions()
  .exitOverride()
  // parser errors in the CLI's one format (DESIGN §4): `exec-track: <what>; <what to do>` (inherited by subcommands)
  .configureOutput({ outputError: (text, write) => write(usageError(text)) })
  .hook('preAction', (_program, action) => {
    json = action.opts<{ json?: boolean }>().json === true;
  });

program
  .command('run')
  .description('run a command as a tracked execution')
  .usage('[options] -- <cmd> [args...]')
  .option('-s, --session <id|title>', 'session to record into (id or title; created if the title is new)')
  .option('-n, --name <label>', 'label for this execution')
  .option('--server <url>', 'stream to this server instead of the embedded store')
  .option('-q, --quiet', 'do not print the start and summary lines')
  .option('--metrics <mode>', 'metric parsing: on or off', 'on')
  .option('--metrics-pattern <regex>', 'regex with named groups key, value and optional step; replaces the default grammar')
  .option('--kill-after <duration>', 'grace before SIGKILL when a forwarded SIGTERM is ignored', durationText(DEFAULTS.killAfterMs))
  .option('--foreground', 'keep the command in the terminal foreground group (for interactive commands)')
  .addOption(new Option('--pty', 'run the command in a pseudo-terminal (colours, progress bars; stdout and stderr merge)').conflicts('foreground'))
  .option('--line-quota <n|all>', `embedded store: lines stored per execution; beyond it the first and the last half are kept (default ${DEFAULTS.lineQuota})`)
  .option('--sample <duration|off>', 'sample CPU, memory, I/O and GPUs of the command\'s processes this often (sys/… metrics)', durationText(DEFAULTS.sampleMs))
  .option('--notify <url>', 'send this run\'s events to a webhook, Slack, Mattermost, Discord or ntfy URL (repeatable; docs/notifications.md)', collect, [])
  .option('--notify-on <events>', 'which events --notify sends: finished,failed,lost,stalled (default all four)')
  .option('--stall-after <duration>', 'with --notify: a run silent this long (no line, no metric) is stalled (default 30m)')
  .argument('<cmd>', 'command to run')
  .argument('[args...]', 'its arguments')
  .passThroughOptions()
  .action(async (cmd: string, args: string[], opts) => {
    const { runCommand } = await import('./commands/run.js');
    process.exitCode = await runCommand([cmd, ...args], opts, io);
  });

program
  .command('record')
  .description('the sidecar for clients in any language: record an execution from JSON events on stdin (docs/clients.md)')
  .option('-s, --session <id|title>', 'session to record into (wins over the start event\'s)')
  .option('-n, --name <label>', 'label for this execution (wins over the start event\'s)')
  .option('--server <url>', 'stream to this server instead of the embedded store')
  .option('-q, --quiet', 'no notice about the spool')
  .option('--metrics <mode>', 'metric parsing of the lines: on or off', 'on')
  .option('--metrics-pattern <regex>', 'regex with named groups key, value and optional step; replaces the default grammar')
  .action(async (opts) => {
    const { recordCommand } = await import('./commands/record.js');
    process.exitCode = await recordCommand(opts, io);
  });

program
  .command('serve')
  .description('start the exec-track server (HTTP + WebSocket + SQLite or PostgreSQL)')
  .option('--host <host>', 'interface to bind', DEFAULTS.host)
  .option('--port <port>', 'port to listen on (0 picks a free one)', String(DEFAULTS.port))
  .option('--db <path|url>', 'SQLite database file, or a postgres:// URL for several instances (also EXEC_TRACK_DATABASE_URL; default: server.db under EXEC_TRACK_HOME)')
  .option('--heartbeat-timeout <duration>', 'a Running execution silent this long becomes Exec crushed', durationText(DEFAULTS.heartbeatTimeoutMs))
  .option('--rate-limit <n>', 'requests per IP per hour (0 = off)', String(DEFAULTS.rateLimit))
  .option('--retention <duration>', 'delete sessions this long after the server received their last execution', durationText(DEFAULTS.retentionMs))
  .option('--max-body <bytes>', `largest request body (default ${sizeText(DEFAULTS.maxBodyBytes)})`)
  .option('--max-frame <bytes>', `largest WebSocket message (default ${sizeText(DEFAULTS.maxFrameBytes)})`)
  .option('--max-line <chars>', `longest report line (default ${sizeText(DEFAULTS.maxLineLength, ' characters')})`)
  .option('--line-quota <n|all>', `stored lines per execution; beyond it the first half and the last half are kept (default ${DEFAULTS.lineQuota})`)
  .option('--max-sessions-per-user <n>', `sessions one user may own (default ${DEFAULTS.maxSessionsPerUser})`)
  .option('--max-executions-per-session <n>', `executions one session may hold (default ${DEFAULTS.maxExecutionsPerSession})`)
  .option('--trust-proxy', 'take client IPs from X-Forwarded-For (only behind your own reverse proxy)')
  .option('--public-url <url>', 'the URL people open this server at: the base of page links in notifications (default: the listening address)')
  .action(async (opts) => {
    const { serveCommand } = await import('./commands/serve.js');
    // a server's sockets and timers may outlive its close: exit with the code once it stopped
    process.exit(await serveCommand(opts, io));
  });

program
  .command('open')
  .description('print the page URL of a session or execution on the server and open it in the browser')
  .argument('[target]', 'session id, execution id or "last" (default: the current session)')
  .option('--server <url>', 'exec-track server (default: EXEC_TRACK_SERVER or config)')
  .action(async (target: string | undefined, opts) => {
    const { openCommand } = await import('./commands/open.js');
    process.exitCode = await openCommand(target, opts, io);
  });

program
  .command('ui')
  .description('serve the embedded store read-only as web pages on 127.0.0.1 and open the browser')
  .option('--port <port>', 'port to listen on (0 picks a free one)', String(DEFAULTS.port))
  .action(async (opts) => {
    const { uiCommand } = await import('./commands/ui.js');
    process.exit(await uiCommand(opts, io));
  });

program
  .command('report')
  .description('show a session or an execution')
  .argument('[target]', 'session id, execution id, or "last" (default: the current session)')
  .option('--json', 'print one JSON document')
  .option('--lines <n|all>', 'how many of the last lines to show', String(DEFAULTS.reportLines))
  .option('--follow', 'follow live until the execution ends')
  .option('--server <url>', 'read from this server instead of the embedded store')
  .option('--metric <key>', 'metric column in the session view (repeatable)', collect, [])
  .option('--sort <column>', 'sort the session view by a column; prefix - for descending')
  .option('--chart <key>', 'draw a line chart of one metric')
  .option('--points', 'with --json: include every metric point')
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'csv']))
  .action(async (target: string | undefined, opts) => {
    const { reportCommand } = await import('./commands/report.js');
    process.exitCode = await reportCommand(target, opts, io);
  });

program
  .command('sessions')
  .description('list sessions')
  .option('--json', 'print JSON')
  .option('--server <url>', 'list sessions on this server')
  .action(async (opts) => {
    const { sessionsCommand } = await import('./commands/sessions.js');
    process.exitCode = await sessionsCommand(opts, io);
  });

const session = program.command('session').description('manage sessions');
session
  .command('new')
  .description('create a session and make it the current one')
  .argument('<title>', 'session title')
  .option('--server <url>', 'create it on this server')
  .action(async (title: string, opts) => {
    const { sessionNewCommand } = await import('./commands/sessions.js');
    process.exitCode = await sessionNewCommand(title, opts, io);
  });
session
  .command('use')
  .description('make an existing session the current one (where a plain `run` records and a plain `report` looks)')
  .argument('<id|title>', 'session id, or title (the newest session of that title)')
  .option('--server <url>', 'a session on this server')
  .action(async (ref: string, opts) => {
    const { sessionUseCommand } = await import('./commands/sessions.js');
    process.exitCode = await sessionUseCommand(ref, opts, io);
  });

program
  .command('sync')
  .description('upload executions waiting in the local spool to their server')
  .option('--server <url>', 'upload them all to this server instead (the one they were started with is gone or was wrong)')
  .option('--json', 'print a JSON summary')
  .action(async (opts) => {
    const { syncCommand } = await import('./commands/sync.js');
    process.exitCode = await syncCommand(opts, io);
  });

const config = program.command('config').description('read and change settings');
config
  .command('set')
  .argument('<key>', 'setting (server)')
  .argument('<value>', 'value')
  .action(async (key: string, value: string) => {
    const { configSetCommand } = await import('./commands/config.js');
    process.exitCode = await configSetCommand(key, value, io);
  });
config
  .command('unset')
  .argument('<key>', 'setting (server)')
  .action(async (key: string) => {
    const { configUnsetCommand } = await import('./commands/config.js');
    process.exitCode = await configUnsetCommand(key, io);
  });
config
  .command('show')
  .option('--secrets', 'include user tokens and claim keys')
  .option('--json', 'print JSON')
  .action(async (opts) => {
    const { configShowCommand } = await import('./commands/config.js');
    process.exitCode = await configShowCommand(opts, io);
  });

const notify = program.command('notify').description('notifications: webhooks, Slack, Mattermost, Discord, ntfy (docs/notifications.md)');
notify
  .command('add')
  .description('send the events of a session\'s executions to a URL (also for later runs)')
  .argument('<session>', 'session id or title')
  .argument('<url>', 'webhook URL; prefix slack+, mattermost+, discord+, ntfy+ or webhook+ to force a format')
  .option('--on <events>', 'finished,failed,lost,stalled,session-done (default failed,lost,stalled,session-done)')
  .option('--stall-after <duration>', 'a running execution silent this long is stalled (default 30m)')
  .option('--server <url>', 'a session on this server (default: EXEC_TRACK_SERVER or config; else the embedded store)')
  .action(async (sessionRef: string, url: string, opts) => {
    const { notifyAddCommand } = await import('./commands/notify.js');
    process.exitCode = await notifyAddCommand(sessionRef, url, opts, io);
  });
notify
  .command('list')
  .description('list the notifications of a session (URLs masked)')
  .argument('<session>', 'session id or title')
  .option('--json', 'print JSON')
  .option('--server <url>', 'a session on this server')
  .action(async (sessionRef: string, opts) => {
    const { notifyListCommand } = await import('./commands/notify.js');
    process.exitCode = await notifyListCommand(sessionRef, opts, io);
  });
notify
  .command('rm')
  .description('remove a notification and its undelivered messages')
  .argument('<id>', 'notification id (n_…)')
  .option('--server <url>', 'a notification on this server')
  .action(async (id: string, opts) => {
    const { notifyRmCommand } = await import('./commands/notify.js');
    process.exitCode = await notifyRmCommand(id, opts, io);
  });
notify
  .command('test')
  .description('send a sample message to a URL and print the HTTP answer (exit 1 unless 2xx)')
  .argument('<url>', 'webhook URL (as for notify add)')
  .action(async (url: string) => {
    const { notifyTestCommand } = await import('./commands/notify.js');
    process.exitCode = await notifyTestCommand(url, io);
  });

program
  .command('rm')
  .description('delete a session or an execution from the embedded store')
  .argument('<id>', 'session or execution id')
  .option('--force', 'also delete a running execution (its wrapper records nothing more)')
  .action(async (id: string, opts: { force?: boolean }) => {
    const { rmCommand } = await import('./commands/prune.js');
    process.exitCode = await rmCommand(id, { force: opts.force === true }, io);
  });

program
  .command('prune')
  .description('delete embedded sessions whose last execution started before a given age (never one with a running execution)')
  .requiredOption('--older-than <duration>', 'age, e.g. 30d, 12h')
  .action(async (opts) => {
    const { pruneCommand } = await import('./commands/prune.js');
    process.exitCode = await pruneCommand(opts, io);
  });

/** commander's `error: unknown option '--x'\n(Did you mean --y?)\n` → one exec-track sentence. */
function usageError(text: string): string {
  const [first = '', ...rest] = text.trim().replace(/^error: /, '').replace(/\.$/, '').split('\n');
  const hint = rest.join(' ').replace(/^\((.*)\)$/, '$1');
  return `exec-track: ${first}${hint ? ` (${hint})` : ''}; run \`exec-track --help\` for usage.\n`;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // commander already printed its message; map its exits onto DESIGN §4 (2 = usage error)
    process.exitCode = error.exitCode === 0 ? 0 : 2;
    return;
  }
  process.exitCode = handleError(error, json, io.stderr);
});
