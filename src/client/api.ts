import { CredentialStore } from './credentials.js';
import { requestJson } from './http.js';
import { withHomeLock } from '../config/home-lock.js';
import { ExecTrackError, isExecTrackError, type ErrorCode } from '../errors.js';
import type { ExecutionJson, ReportJson, SessionJson } from '../protocol/json.js';
import { RESPONSES, type ApiRoute, type ResponseBody } from '../protocol/responses.js';
import type { NewExecution, Outcome, ReportLine } from '../protocol/types.js';

/** Renew a cached claim key when less than this is left (ms): a key is never used near its expiry. */
export const CLAIM_RENEW_BEFORE_MS = 60 * 60 * 1000;

/** Name of the home lock (config/home-lock.ts) held while a user is minted. */
const CREDENTIALS_LOCK = 'credentials';
const RETRY_WITH_FRESH_KEY = new Set<ErrorCode>(['UNAUTHORIZED', 'FORBIDDEN', 'CONFLICT']);

/** Options of {@link ApiClient}. */
export interface ApiClientOptions {
  env?: NodeJS.ProcessEnv;
  /** Clock in ms since epoch (injectable for tests). */
  now?: () => number;
  /** Per-request timeout in ms (default 15 000). */
  timeoutMs?: number;
  /** Aborts every request of this client (a finished run stops waiting). */
  signal?: AbortSignal;
}

/** Body of POST /api/v1/sessions/:id/executions (the execution minus its session; the server stamps `receivedAt`). */
export type ExecutionBody = Omit<NewExecution, 'sessionId' | 'receivedAt'>;

/**
 * REST client of one exec-track server (docs/api.md). On first contact it mints an anonymous user
 * (POST /users) and keeps `{userId, token}` in the config; write calls carry the owner's claim key,
 * cached with its expiry, renewed when less than {@link CLAIM_RENEW_BEFORE_MS} is left and once
 * more when the server answers 401 — so a run of several days never fails on an expired key.
 * Every answer is parsed with its schema in protocol/responses.ts. Errors are ExecTrackError from
 * {@link requestJson}, and SERVER_ERROR for an answer that does not match its schema. Tokens and
 * keys are never printed. Every command that talks to a server goes through this class.
 */
export class ApiClient {
  readonly server: string;
  readonly credentials: CredentialStore;
  readonly #env: NodeJS.ProcessEnv;
  readonly #now: () => number;
  readonly #timeoutMs: number | undefined;
  readonly #signal: AbortSignal | undefined;

  constructor(server: string, options: ApiClientOptions = {}) {
    this.server = server;
    this.#env = options.env ?? process.env;
    this.credentials = new CredentialStore(server, this.#env);
    this.#now = options.now ?? Date.now;
    this.#timeoutMs = options.timeoutMs;
    this.#signal = options.signal;
  }

  /** The user token for this server, minting a user on first contact. */
  async token(): Promise<string> {
    return this.credentials.get().token ?? (await this.#mint());
  }

  /**
   * Mints a user (POST /users) unless another process sharing the home did: under the home's
   * credentials lock the config is read again and a token found there is used, so one home holds one
   * user per server however many processes start at once (issue 9). `refused` is a token the server
   * no longer knows (401): a token other than it found under the lock was minted by another process.
   */
  async #mint(refused?: string): Promise<string> {
    return withHomeLock(this.#env, CREDENTIALS_LOCK, async () => {
      const stored = this.credentials.get().token;
      if (stored && stored !== refused) return stored;
      const minted = await this.#request('POST /api/v1/users', '/users', { method: 'POST', body: {} });
      await this.credentials.update({ userId: minted.user.id, token: minted.token, claimKey: undefined, claimExpiresAt: undefined });
      return minted.token;
    });
  }

  /**
   * A valid claim key: the cached one unless it expires within the renewal margin or `renew` is set.
   * A token the server no longer knows (401 on /claims, e.g. a new server DB) is replaced by a new user once.
   * A key is stored only next to the token it was claimed with (never one user's key with another's token).
   */
  async claimKey(renew = false): Promise<string> {
    const cached = this.credentials.get();
    if (!renew && cached.claimKey && (cached.claimExpiresAt ?? 0) - this.#now() > CLAIM_RENEW_BEFORE_MS) return cached.claimKey;
    let token = await this.token();
    let claim: ResponseBody<'POST /api/v1/claims'>;
    try {
      claim = await this.#request('POST /api/v1/claims', '/claims', { method: 'POST', body: {}, bearer: token });
    } catch (error) {
      if (!isExecTrackError(error) || error.code !== 'UNAUTHORIZED') throw error;
      token = await this.#mint(token);
      claim = await this.#request('POST /api/v1/claims', '/claims', { method: 'POST', body: {}, bearer: token });
    }
    const expiresAt = Date.parse(claim.expiresAt);
    await this.credentials.update((current) => (current.token === token ? { claimKey: claim.claimKey, claimExpiresAt: expiresAt } : {}));
    return claim.claimKey;
  }

  /** Creates (or, same id, confirms) a session; remembers its title → id. */
  async createSession(session: { id?: string; title: string }): Promise<SessionJson> {
    const { session: created } = await this.#write('POST /api/v1/sessions', '/sessions', session);
    await this.credentials.rememberTitle(created.title, created.id);
    return created;
  }

  /** This user's sessions, newest first; none when this machine never contacted the server. */
  async listSessions(): Promise<SessionJson[]> {
    const token = this.credentials.get().token;
    if (!token) return [];
    const { sessions } = await this.#request('GET /api/v1/sessions', '/sessions', { bearer: token });
    return sessions;
  }

  /** Resolves when the server answers its health check. @throws ExecTrackError SERVER_UNREACHABLE / SERVER_ERROR. */
  async health(): Promise<void> {
    this.#parse('GET /healthz', await requestJson(`${this.server}/healthz`, { timeoutMs: this.#timeoutMs, signal: this.#signal }));
  }

  /** A session and its executions. Throws NOT_FOUND. */
  getSession(id: string): Promise<ResponseBody<'GET /api/v1/sessions/:id'>> {
    return this.#request('GET /api/v1/sessions/:id', `/sessions/${encodeURIComponent(id)}`, {});
  }

  /** An execution and its metric summaries. Throws NOT_FOUND. */
  getExecution(id: string): Promise<ResponseBody<'GET /api/v1/executions/:id'>> {
    return this.#request('GET /api/v1/executions/:id', `/executions/${encodeURIComponent(id)}`, {});
  }

  /** A page of an execution's lines: `{ tail }` the last n, or `{ after, limit }` (the API caps both). Throws NOT_FOUND. */
  async getReports(id: string, page: { tail: number } | { after: number; limit: number }): Promise<ReportJson[]> {
    const query = 'tail' in page ? `tail=${page.tail}` : `after=${page.after}&limit=${page.limit}`;
    const { reports } = await this.#request('GET /api/v1/executions/:id/reports', `/executions/${encodeURIComponent(id)}/reports?${query}`, {});
    return reports;
  }

  /** An execution's metric points, of one `key` or all. Throws NOT_FOUND. */
  getMetrics(id: string, key?: string): Promise<ResponseBody<'GET /api/v1/executions/:id/metrics'>> {
    const query = key === undefined ? '' : `?key=${encodeURIComponent(key)}`;
    return this.#request('GET /api/v1/executions/:id/metrics', `/executions/${encodeURIComponent(id)}/metrics${query}`, {});
  }

  /** Creates the execution (idempotent by id). */
  async createExecution(sessionId: string, body: ExecutionBody): Promise<ExecutionJson> {
    const { execution } = await this.#write('POST /api/v1/sessions/:id/executions', `/sessions/${encodeURIComponent(sessionId)}/executions`, body);
    return execution;
  }

  /** Uploads a batch of lines (idempotent by seq); returns the highest contiguous seq stored. */
  async appendReports(executionId: string, lines: ReportLine[]): Promise<number> {
    const { lastSeq } = await this.#write('POST /api/v1/executions/:id/reports', `/executions/${encodeURIComponent(executionId)}/reports`, { lines });
    return lastSeq;
  }

  /** Records the final state. */
  async finish(executionId: string, outcome: Outcome): Promise<ExecutionJson> {
    const { execution } = await this.#write('POST /api/v1/executions/:id/finish', `/executions/${encodeURIComponent(executionId)}/finish`, { outcome });
    return execution;
  }

  /** `ws://…/api/v1/executions/:id/stream` for this server. */
  streamUrl(executionId: string): string {
    return this.socketUrl(`/executions/${encodeURIComponent(executionId)}/stream`);
  }

  /** The WebSocket URL (`ws:`/`wss:`) of an API path such as `/executions/:id/follow?after=3`. */
  socketUrl(path: string): string {
    const url = new URL(`${this.server}/api/v1${path}`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.toString();
  }

  /**
   * A write with the claim key, retried once with a fresh key on 401 (expired) and on 403/409: a
   * home mixed by parallel first runs of an older exec-track may cache another user's key next to
   * its token, and a key claimed with the token tells whether the resource is really someone else's.
   */
  async #write<R extends ApiRoute>(route: R, path: string, body: unknown): Promise<ResponseBody<R>> {
    try {
      return await this.#request(route, path, { method: 'POST', body, bearer: await this.claimKey() });
    } catch (error) {
      if (!isExecTrackError(error) || !RETRY_WITH_FRESH_KEY.has(error.code)) throw error;
      return this.#request(route, path, { method: 'POST', body, bearer: await this.claimKey(true) });
    }
  }

  /** `path` (under /api/v1) answered as `route` says, parsed with its schema. */
  async #request<R extends ApiRoute>(route: R, path: string, options: { method?: 'POST'; body?: unknown; bearer?: string }): Promise<ResponseBody<R>> {
    return this.#parse(route, await requestJson<unknown>(`${this.server}/api/v1${path}`, { ...options, timeoutMs: this.#timeoutMs, signal: this.#signal }));
  }

  /** @throws ExecTrackError SERVER_ERROR when `body` is not what `route` answers (protocol/responses.ts). */
  #parse<R extends ApiRoute>(route: R, body: unknown): ResponseBody<R> {
    const parsed = RESPONSES[route].safeParse(body);
    if (parsed.success) return parsed.data as ResponseBody<R>;
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new ExecTrackError(
      'SERVER_ERROR',
      `The server ${this.server} answered ${route} with a body exec-track does not know (${issue?.message ?? 'invalid'}${where}); check the server URL and that the server runs the same exec-track version.`,
    );
  }
}
