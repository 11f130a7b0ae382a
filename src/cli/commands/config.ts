import { maskUrl, parseServerUrl } from '../../config/server-url.js';
import { effectiveServer, openSettings, type ServerCredentials, type ServerSource } from '../../config/settings.js';
import { ExecTrackError } from '../../errors.js';
import type { CommandIo } from '../io.js';

const KEYS = ['server'] as const;

/**
 * `exec-track config set server <url>`: the server `run`, `report` and `sessions` use when neither
 * `--server` nor EXEC_TRACK_SERVER is given.
 * @throws ExecTrackError USAGE (exit 2) for an unknown key or a URL that is not http(s).
 */
export async function configSetCommand(key: string, value: string, io: CommandIo): Promise<number> {
  const { env } = io;
  checkKey(key);
  const server = parseServerUrl(value);
  await openSettings(env).set('server', server);
  io.stdout.write(`server = ${server}\n`);
  return 0;
}

/** `exec-track config unset server`: back to the embedded store. @throws ExecTrackError USAGE for an unknown key. */
export async function configUnsetCommand(key: string, io: CommandIo): Promise<number> {
  const { env } = io;
  checkKey(key);
  await openSettings(env).delete('server');
  io.stdout.write('server unset; runs use the embedded store\n');
  return 0;
}

/**
 * `exec-track config show [--secrets] [--json]`: the server in effect and where it comes from
 * (`EXEC_TRACK_SERVER` overrides the config's `server`), the config's own `server`, and per server the
 * user id, token, claim key (masked unless --secrets) and its expiry, and the current session.
 * A URL that cannot be used (e.g. one with a password, stored by an older exec-track) is shown masked.
 */
export async function configShowCommand(opts: { secrets?: boolean; json?: boolean }, io: CommandIo): Promise<number> {
  const { env } = io;
  const settings = openSettings(env);
  const servers = Object.fromEntries(Object.entries(settings.get('servers')).map(([url, creds]) => [maskUrl(url), shown(creds, opts.secrets === true)]));
  const stored = settings.get('server');
  const effective = usableServer(env);
  const view = {
    path: settings.path,
    server: effective && 'url' in effective ? effective.url : null,
    serverFrom: effective?.from ?? null,
    serverProblem: effective && 'problem' in effective ? effective.problem : null,
    configServer: stored === undefined ? null : maskUrl(stored),
    currentSession: settings.get('currentSession') ?? null,
    servers,
  };
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    return 0;
  }
  const from =
    view.serverFrom === 'EXEC_TRACK_SERVER'
      ? `from EXEC_TRACK_SERVER${view.configServer ? `, overriding the config's ${view.configServer}` : ''}`
      : 'from the config file';
  const lines = [
    `config file: ${view.path}`,
    `server: ${view.serverProblem ? `unusable (${from}): ${view.serverProblem}` : view.server ? `${view.server} (${from})` : '(none: embedded store)'}`,
    `current session (embedded): ${view.currentSession ?? '(none)'}`,
  ];
  for (const [url, creds] of Object.entries(servers)) {
    lines.push(`${url}:`);
    for (const [key, value] of Object.entries(creds)) lines.push(`  ${key}: ${typeof value === 'object' ? JSON.stringify(value) : value}`);
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** The server in effect, or why the one configured cannot be used (a USAGE error's message). */
function usableServer(env: NodeJS.ProcessEnv): { url: string; from: ServerSource } | { problem: string; from: ServerSource } | undefined {
  try {
    return effectiveServer(undefined, env);
  } catch (error) {
    if (!(error instanceof ExecTrackError) || error.code !== 'USAGE') throw error;
    return { problem: error.message, from: env.EXEC_TRACK_SERVER ? 'EXEC_TRACK_SERVER' : 'config' };
  }
}

function checkKey(key: string): void {
  if (!(KEYS as readonly string[]).includes(key)) throw new ExecTrackError('USAGE', `Unknown setting "${key}"; the settings are: ${KEYS.join(', ')}.`);
}

/** Credentials for display: secrets masked unless asked for, the expiry as ISO 8601 UTC. */
function shown(creds: ServerCredentials, secrets: boolean): Record<string, unknown> {
  const mask = (value: string | undefined) => (value === undefined || secrets ? value : `${value.slice(0, 3)}…(hidden; --secrets shows it)`);
  const view: Record<string, unknown> = {
    ...creds,
    token: mask(creds.token),
    claimKey: mask(creds.claimKey),
    claimExpiresAt: creds.claimExpiresAt === undefined ? undefined : new Date(creds.claimExpiresAt).toISOString(),
  };
  return Object.fromEntries(Object.entries(view).filter(([, value]) => value !== undefined));
}
