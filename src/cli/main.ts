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

/** Each command module, imported only when one of its commands runs (so `--help` and `run` load no other: B4). */
const command = {
  run: () => import('./commands/run.js'),
  record: () => import('./commands/record.js'),
  serve: () => import('./commands/serve.js'),
  open: () => import('./commands/open.js'),
  ui: () => import('./commands/ui.js'),
  report: () => import('./commands/report.js'),
  sessions: () => import('./commands/sessions.js'),
  sync: () => import('./commands/sync.js'),
  config: () => import('./commands/config.js'),
  notify: () => import('./commands/notify.js'),
  prune: () => import('./commands/prune.js'),
};

/**
 * Every command, by name, in the order `--help` lists them. Only the invoked one is defined when it
 * is known (defining all ~20 with their options is a few ms of every `run`'s start: B4); `--help`,
 * `help` and an unknown name get them all.
 */
const COMMANDS: Record<string, (program: Command) => void> = {
  run: (program) => {
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
      .option(
        '--line-quota <n|all>',
        `embedded store: lines stored per execution; beyond it the first and the last half are kept (default ${DEFAULTS.lineQuota})`,
      )
      .option(
        '--sample <duration|off>',
        "sample CPU, memory, I/O and GPUs of the command's processes this often (sys/… metrics)",
        durationText(DEFAULTS.sampleMs),
      )
      .option('--notify <url>', "send this run's events to a webhook, Slack, Mattermost, Discord or ntfy URL (repeatable; docs/notifications.md)", collect, [])
      .option('--notify-on <events>', 'which events --notify sends: finished,failed,lost,stalled (default all four)')
      .option('--stall-after <duration>', 'with --notify: a run silent this long (no line, no metric) is stalled (default 30m)')
      .argument('<cmd>', 'command to run')
      .argument('[args...]', 'its arguments')
      .passThroughOptions()
      .action(lazily(command.run, ({ runCommand }, cmd: string, args: string[], opts) => runCommand([cmd, ...args], opts, io)));
  },
  record: (program) => {
    program
      .command('record')
      .description('the sidecar for clients in any language: record an execution from JSON events on stdin (docs/clients.md)')
      .option('-s, --session <id|title>', "session to record into (wins over the start event's)")
      .option('-n, --name <label>', "label for this execution (wins over the start event's)")
      .option('--server <url>', 'stream to this server instead of the embedded store')
      .option('-q, --quiet', 'no notice about the spool')
      .option('--metrics <mode>', 'metric parsing of the lines: on or off', 'on')
      .option('--metrics-pattern <regex>', 'regex with named groups key, value and optional step; replaces the default grammar')
      .action(lazily(command.record, ({ recordCommand }, opts) => recordCommand(opts, io)));
  },
  serve: (program) => {
    program
      .command('serve')
      .description('start the exec-track server (HTTP + WebSocket + SQLite or PostgreSQL)')
      .option('--host <host>', 'interface to bind', DEFAULTS.host)
      .option('--port <port>', 'port to listen on (0 picks a free one)', String(DEFAULTS.port))
      .option(
        '--db <path|url>',
        'SQLite database file, or a postgres:// URL for several instances (also EXEC_TRACK_DATABASE_URL; default: server.db under EXEC_TRACK_HOME)',
      )
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
      .action(lazily(command.serve, ({ serveCommand }, opts) => serveCommand(opts, io), exitNow));
  },
  open: (program) => {
    program
      .command('open')
      .description('print the page URL of a session or execution on the server and open it in the browser')
      .argument('[target]', 'session id, execution id or "last" (default: the current session)')
      .option('--server <url>', 'exec-track server (default: EXEC_TRACK_SERVER or config)')
      .action(lazily(command.open, ({ openCommand }, target: string | undefined, opts) => openCommand(target, opts, io)));
  },
  ui: (program) => {
    program
      .command('ui')
      .description('serve the embedded store read-only as web pages on 127.0.0.1 and open the browser')
      .option('--port <port>', 'port to listen on (0 picks a free one)', String(DEFAULTS.port))
      .action(lazily(command.ui, ({ uiCommand }, opts) => uiCommand(opts, io), exitNow));
  },
  report: (program) => {
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
      .action(lazily(command.report, ({ reportCommand }, target: string | undefined, opts) => reportCommand(target, opts, io)));
  },
  sessions: (program) => {
    program
      .command('sessions')
      .description('list sessions')
      .option('--json', 'print JSON')
      .option('--server <url>', 'list sessions on this server')
      .action(lazily(command.sessions, ({ sessionsCommand }, opts) => sessionsCommand(opts, io)));
  },
  session: (program) => {
    const session = program.command('session').description('manage sessions');
    session
      .command('new')
      .description('create a session and make it the current one')
      .argument('<title>', 'session title')
      .option('--server <url>', 'create it on this server')
      .action(lazily(command.sessions, ({ sessionNewCommand }, title: string, opts) => sessionNewCommand(title, opts, io)));
    session
      .command('use')
      .description('make an existing session the current one (where a plain `run` records and a plain `report` looks)')
      .argument('<id|title>', 'session id, or title (the newest session of that title)')
      .option('--server <url>', 'a session on this server')
      .action(lazily(command.sessions, ({ sessionUseCommand }, ref: string, opts) => sessionUseCommand(ref, opts, io)));
  },
  sync: (program) => {
    program
      .command('sync')
      .description('upload executions waiting in the local spool to their server')
      .option('--server <url>', 'upload them all to this server instead (the one they were started with is gone or was wrong)')
      .option('--json', 'print a JSON summary')
      .action(lazily(command.sync, ({ syncCommand }, opts) => syncCommand(opts, io)));
  },
  config: (program) => {
    const config = program.command('config').description('read and change settings');
    config
      .command('set')
      .argument('<key>', 'setting (server)')
      .argument('<value>', 'value')
      .action(lazily(command.config, ({ configSetCommand }, key: string, value: string) => configSetCommand(key, value, io)));
    config
      .command('unset')
      .argument('<key>', 'setting (server)')
      .action(lazily(command.config, ({ configUnsetCommand }, key: string) => configUnsetCommand(key, io)));
    config
      .command('show')
      .option('--secrets', 'include user tokens and claim keys')
      .option('--json', 'print JSON')
      .action(lazily(command.config, ({ configShowCommand }, opts) => configShowCommand(opts, io)));
  },
  notify: (program) => {
    const notify = program.command('notify').description('notifications: webhooks, Slack, Mattermost, Discord, ntfy (docs/notifications.md)');
    notify
      .command('add')
      .description("send the events of a session's executions to a URL (also for later runs)")
      .argument('<session>', 'session id or title')
      .argument('<url>', 'webhook URL; prefix slack+, mattermost+, discord+, ntfy+ or webhook+ to force a format')
      .option('--on <events>', 'finished,failed,lost,stalled,session-done (default failed,lost,stalled,session-done)')
      .option('--stall-after <duration>', 'a running execution silent this long is stalled (default 30m)')
      .option('--server <url>', 'a session on this server (default: EXEC_TRACK_SERVER or config; else the embedded store)')
      .action(lazily(command.notify, ({ notifyAddCommand }, sessionRef: string, url: string, opts) => notifyAddCommand(sessionRef, url, opts, io)));
    notify
      .command('list')
      .description('list the notifications of a session (URLs masked)')
      .argument('<session>', 'session id or title')
      .option('--json', 'print JSON')
      .option('--server <url>', 'a session on this server')
      .action(lazily(command.notify, ({ notifyListCommand }, sessionRef: string, opts) => notifyListCommand(sessionRef, opts, io)));
    notify
      .command('rm')
      .description('remove a notification and its undelivered messages')
      .argument('<id>', 'notification id (n_…)')
      .option('--server <url>', 'a notification on this server')
      .action(lazily(command.notify, ({ notifyRmCommand }, id: string, opts) => notifyRmCommand(id, opts, io)));
    notify
      .command('test')
      .description('send a sample message to a URL and print the HTTP answer (exit 1 unless 2xx)')
      .argument('<url>', 'webhook URL (as for notify add)')
      .action(lazily(command.notify, ({ notifyTestCommand }, url: string) => notifyTestCommand(url, io)));
  },
  rm: (program) => {
    program
      .command('rm')
      .description('delete a session or an execution from the embedded store')
      .argument('<id>', 'session or execution id')
      .option('--force', 'also delete a running execution (its wrapper records nothing more)')
      .action(lazily(command.prune, ({ rmCommand }, id: string, opts: { force?: boolean }) => rmCommand(id, { force: opts.force === true }, io)));
  },
  prune: (program) => {
    program
      .command('prune')
      .description('delete embedded sessions whose last execution started before a given age (never one with a running execution)')
      .requiredOption('--older-than <duration>', 'age, e.g. 30d, 12h')
      .action(lazily(command.prune, ({ pruneCommand }, opts) => pruneCommand(opts, io)));
  },
};

const invoked = process.argv[2] ?? '';
for (const [name, define] of Object.entries(COMMANDS)) if (!Object.hasOwn(COMMANDS, invoked) || name === invoked) define(program);

/** commander's `error: unknown option '--x'\n(Did you mean --y?)\n` → one exec-track sentence. */
function usageError(text: string): string {
  const [first = '', ...rest] = text
    .trim()
    .replace(/^error: /, '')
    .replace(/\.$/, '')
    .split('\n');
  const hint = rest.join(' ').replace(/^\((.*)\)$/, '$1');
  return `exec-track: ${first}${hint ? ` (${hint})` : ''}; run \`exec-track --help\` for usage.\n`;
}

/**
 * A command's action: loads its module (one of {@link command}) when it runs and hands the exit
 * code `call` resolves with to `end` (default: set it as the process's exit code, letting the event
 * loop drain).
 */
function lazily<M>(
  load: () => Promise<M>,
  // commander passes the arguments, then the options object (any: its typings), then the Command
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call: (module: M, ...args: any[]) => Promise<number>,
  end: (code: number) => void = (code) => void (process.exitCode = code),
): (...args: unknown[]) => Promise<void> {
  return async (...args) => end(await call(await load(), ...args));
}

/** For `serve` and `ui`: a server's sockets and timers may outlive its close, so exit with the code once it stopped. */
function exitNow(code: number): never {
  process.exit(code);
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
