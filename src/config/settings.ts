import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withHomeLock } from './home-lock.js';
import { homeDir, writeError } from './paths.js';
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

/** Name of the home lock (home-lock.ts) every change of the config file holds. */
const CONFIG_LOCK = 'config';

/**
 * The config file (`config.json` under EXEC_TRACK_HOME, mode 0600 because it holds user tokens and
 * claim keys). Read at the first `get`; every change re-reads it, applies the change and rewrites it whole
 * (temp file + rename) under the home's config lock, so processes changing it at once never lose
 * each other's changes nor leave a mix of them (issue 9).
 * A plain JSON file rather than `conf`: loading conf (ajv, semver, …) cost ~150 ms CPU on every
 * `run` start, more than the rest of the wrapper's startup (issue 6, B4).
 *
 * A file that is not a JSON object is ignored with one warning on stderr naming it; the first
 * change moves it to `config.json.corrupt` (replacing an older copy) before writing a fresh one.
 */
export class SettingsFile {
  /** Absolute path of the file. */
  readonly path: string;
  readonly #env: NodeJS.ProcessEnv;
  /** The file's content, read at the first `get` (a change alone needs no earlier read). */
  #data: Settings | undefined;

  constructor(dir: string, env: NodeJS.ProcessEnv = process.env) {
    this.path = join(dir, 'config.json');
    this.#env = env;
  }

  get<K extends keyof Settings>(key: K): Settings[K] {
    this.#data ??= this.#read();
    return this.#data[key];
  }

  /**
   * Applies `change` to the file's current content under the config lock and writes it; the
   * settings read afterwards are the file's as written.
   * @throws ExecTrackError CONFIG_ERROR when the home or the file cannot be written.
   */
  async update(change: (data: Settings) => void): Promise<void> {
    await withHomeLock(this.#env, CONFIG_LOCK, async () => {
      const data = this.#read(true);
      change(data);
      this.#write(data);
      this.#data = data;
    });
  }

  /** Sets one key (see {@link SettingsFile.update}). */
  set<K extends keyof Settings>(key: K, value: Settings[K]): Promise<void> {
    return this.update((data) => void (data[key] = value));
  }

  /** Removes one key (see {@link SettingsFile.update}). */
  delete(key: Exclude<keyof Settings, 'servers'>): Promise<void> {
    return this.update((data) => void delete data[key]);
  }

  /** The file's settings; none when it is missing; a corrupt one warns and, when `keepCorrupt`, is moved aside. */
  #read(keepCorrupt = false): Settings {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return { servers: {} };
    }
    const value = parseObject(text);
    if (value) return { ...value, servers: value.servers ?? {} };
    if (keepCorrupt) {
      try {
        renameSync(this.path, `${this.path}.corrupt`);
      } catch (error) {
        throw writeError(this.path, error);
      }
      warnOnce(`${this.path} was not valid JSON; it was moved to ${this.path}.corrupt and a fresh one written (set the server again if you had one)`);
    } else {
      warnOnce(`${this.path} is not valid JSON, so its settings are ignored; fix it or delete it`);
    }
    return { servers: {} };
  }

  #write(data: Settings): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(data, null, '\t'), { mode: 0o600 });
      renameSync(tmp, this.path);
    } catch (error) {
      rmSync(tmp, { force: true });
      throw writeError(this.path, error);
    }
  }
}

/** `text` as a settings object, or undefined when it is not JSON or not an object. */
function parseObject(text: string): Partial<Settings> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Partial<Settings>) : undefined;
  } catch {
    return undefined;
  }
}

const warned = new Set<string>();

/** One `exec-track: …` line on stderr per message and process. */
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.stderr.write(`exec-track: ${message}\n`);
}

/** Opens the config of `EXEC_TRACK_HOME` (see {@link SettingsFile}). */
export function openSettings(env: NodeJS.ProcessEnv = process.env): SettingsFile {
  return new SettingsFile(homeDir(env), env);
}

/** Where the server URL in effect comes from. */
export type ServerSource = '--server' | 'EXEC_TRACK_SERVER' | 'config';

/**
 * The server URL in effect and where it comes from: `--server`, then `EXEC_TRACK_SERVER`, then
 * `config set server`; undefined → embedded mode.
 * @throws ExecTrackError USAGE (exit 2) when the URL given is not an http(s) URL or holds credentials.
 */
export function effectiveServer(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): { url: string; from: ServerSource } | undefined {
  if (flag) return { url: parseServerUrl(flag), from: '--server' };
  if (env.EXEC_TRACK_SERVER) return { url: parseServerUrl(env.EXEC_TRACK_SERVER), from: 'EXEC_TRACK_SERVER' };
  const stored = openSettings(env).get('server');
  return stored ? { url: parseServerUrl(stored), from: 'config' } : undefined;
}

/** The server URL in effect (see {@link effectiveServer}); undefined → embedded mode. */
export function resolveServer(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return effectiveServer(flag, env)?.url;
}
