import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, homeDir } from './paths.js';
import { parseServerUrl } from './server-url.js';

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
 * The config file (`config.json` under EXEC_TRACK_HOME, mode 0600 because it holds user tokens and
 * claim keys), read once when opened and rewritten whole (temp file + rename) on every change.
 * A plain JSON file rather than `conf`: loading conf (ajv, semver, …) cost ~150 ms CPU on every
 * `run` start, more than the rest of the wrapper's startup (issue 6, B4).
 */
export class SettingsFile {
  /** Absolute path of the file. */
  readonly path: string;
  #data: Settings;

  constructor(dir: string) {
    this.path = join(dir, 'config.json');
    this.#data = { servers: {}, ...readJson(this.path) };
  }

  get<K extends keyof Settings>(key: K): Settings[K] {
    return this.#data[key];
  }

  set<K extends keyof Settings>(key: K, value: Settings[K]): void {
    this.#data[key] = value;
    this.#write();
  }

  delete(key: Exclude<keyof Settings, 'servers'>): void {
    delete this.#data[key];
    this.#write();
  }

  #write(): void {
    ensureDir(join(this.path, '..'));
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#data, null, '\t'), { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}

/** The file's settings, or none when it is missing or not a JSON object (a fresh home). */
function readJson(path: string): Partial<Settings> {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Partial<Settings>) : {};
  } catch {
    return {};
  }
}

/** Opens the config of `EXEC_TRACK_HOME` (see {@link SettingsFile}). */
export function openSettings(env: NodeJS.ProcessEnv = process.env): SettingsFile {
  return new SettingsFile(homeDir(env));
}

/**
 * Server URL to use: `--server`, then `EXEC_TRACK_SERVER`, then `config set server`; undefined → embedded mode.
 * @throws ExecTrackError USAGE (exit 2) when the URL given is not an http(s) URL.
 */
export function resolveServer(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = flag || env.EXEC_TRACK_SERVER || openSettings(env).get('server');
  return url ? parseServerUrl(url) : undefined;
}
