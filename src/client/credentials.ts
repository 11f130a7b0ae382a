import { openSettings, type ServerCredentials } from '../config/settings.js';

/**
 * The credentials the CLI keeps for one server URL (user token, cached claim key, current session,
 * title → id map) in the config file (conf, mode 0600). The whole `servers` map is read and written
 * as one value because server URLs contain dots, which conf would treat as key paths.
 */
export class CredentialStore {
  readonly #env: NodeJS.ProcessEnv;
  readonly #server: string;

  constructor(server: string, env: NodeJS.ProcessEnv = process.env) {
    this.#server = server;
    this.#env = env;
  }

  /** The stored credentials of this server (empty when it was never contacted). */
  get(): ServerCredentials {
    return openSettings(this.#env).get('servers')[this.#server] ?? {};
  }

  /** Merges `patch` into this server's credentials; a key set to `undefined` is removed. */
  update(patch: Partial<ServerCredentials>): ServerCredentials {
    const settings = openSettings(this.#env);
    const servers = { ...settings.get('servers') };
    const next: ServerCredentials = { ...servers[this.#server], ...patch };
    for (const key of Object.keys(next) as (keyof ServerCredentials)[]) if (next[key] === undefined) delete next[key];
    servers[this.#server] = next;
    settings.set('servers', servers);
    return next;
  }

  /** Remembers that `title` names session `id` on this server, so `--session <title>` resolves offline. */
  rememberTitle(title: string, id: string): void {
    const titles = this.get().sessionTitles ?? {};
    if (titles[title] !== id) this.update({ sessionTitles: { ...titles, [title]: id } });
  }
}
