import Conf from 'conf';
import { homeDir } from './paths.js';

/** Credentials the CLI keeps per server URL (like a browser keeps cookies). */
export interface ServerCredentials {
  userId?: string;
  token?: string;
  claimKey?: string;
  /** ms since epoch UTC. */
  claimExpiresAt?: number;
  /** Session used by `run`/`report` on that server when none is given. */
  currentSession?: string;
  /** title → session id, so `--session <title>` resolves offline too. */
  sessionTitles?: Record<string, string>;
}

/** The config file's shape (`config.json` under EXEC_TRACK_HOME, mode 0600). */
export interface Settings {
  server?: string;
  /** Current session of the embedded store. */
  currentSession?: string;
  servers: Record<string, ServerCredentials>;
}

/**
 * Opens the config (conf). The file lives in EXEC_TRACK_HOME with mode 0600 because it holds
 * user tokens and claim keys.
 */
export function openSettings(env: NodeJS.ProcessEnv = process.env): Conf<Settings> {
  return new Conf<Settings>({
    cwd: homeDir(env),
    configName: 'config',
    projectName: 'exec-track',
    configFileMode: 0o600,
    defaults: { servers: {} },
  });
}

/** Server URL to use: `--server`, then `EXEC_TRACK_SERVER`, then `config set server`; undefined → embedded mode. */
export function resolveServer(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = flag || env.EXEC_TRACK_SERVER || openSettings(env).get('server');
  return url ? url.replace(/\/+$/, '') : undefined;
}
