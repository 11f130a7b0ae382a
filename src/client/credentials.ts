import { openSettings, type ServerCredentials } from '../config/settings.js';

/**
 * The credentials the CLI keeps for one server URL (user token, cached claim key, current session,
 * title → id map) in the config file (mode 0600). Every change is a locked read-modify-write of the
 * file (SettingsFile.update), so processes sharing a home never mix two users' credentials.
 */
export class CredentialStore {
  readonly #env: NodeJS.ProcessEnv;
  readonly #server: string;

  constructor(server: string, env: NodeJS.ProcessEnv = process.env) {
    this.#server = server;
    this.#env = env;
  }

  /** The stored credentials of this server, as the file holds them now (empty when it was never contacted). */
  get(): ServerCredentials {
    return openSettings(this.#env).get('servers')[this.#server] ?? {};
  }

  /**
   * Applies `change` to this server's current credentials under the config lock and returns them as
   * written. `change` may return a patch merged in (a key set to `undefined` is removed).
   * @throws ExecTrackError CONFIG_ERROR when the config cannot be written.
   */
  async update(change: Partial<ServerCredentials> | ((current: ServerCredentials) => Partial<ServerCredentials>)): Promise<ServerCredentials> {
    let next: ServerCredentials = {};
    await openSettings(this.#env).update((data) => {
      const current = data.servers[this.#server] ?? {};
      next = { ...current, ...(typeof change === 'function' ? change(current) : change) };
      for (const key of Object.keys(next) as (keyof ServerCredentials)[]) if (next[key] === undefined) delete next[key];
      data.servers = { ...data.servers, [this.#server]: next };
    });
    return next;
  }

  /** Remembers that `title` names session `id` on this server (the newest session of a title wins). */
  async rememberTitle(title: string, id: string): Promise<void> {
    if (this.get().sessionTitles?.[title] !== id) await this.update((current) => ({ sessionTitles: { ...current.sessionTitles, [title]: id } }));
  }

  /**
   * The session id `title` names on this server: the one already remembered (another process may
   * have just done so), else `id`, which is remembered. So `--session <title>` resolves offline too
   * and parallel runs of one title share one session.
   */
  async claimTitle(title: string, id: string): Promise<string> {
    const next = await this.update((current) => (current.sessionTitles?.[title] ? {} : { sessionTitles: { ...current.sessionTitles, [title]: id } }));
    return next.sessionTitles![title]!;
  }

  /**
   * Replaces session `stale` (another user's on this server) by `fresh` for `title`, in the title map
   * and as current session, unless another process already did: returns the id `title` now names.
   */
  async replaceSession(stale: string, title: string, fresh: string): Promise<string> {
    const next = await this.update((current) => {
      const titles = Object.fromEntries(Object.entries(current.sessionTitles ?? {}).filter(([, id]) => id !== stale));
      const id = titles[title] ?? fresh;
      return { sessionTitles: { ...titles, [title]: id }, currentSession: current.currentSession === stale ? id : current.currentSession };
    });
    return next.sessionTitles![title]!;
  }
}
