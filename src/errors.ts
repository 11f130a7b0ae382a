/**
 * The one list of errors (modelled on fastify's lib/errors.js). Each code has a stable name,
 * a CLI exit code (DESIGN §4: 1 operational, 2 usage) and an HTTP status for the API.
 * Every code is documented in docs/errors.md with this exit code and status (a test checks it).
 */
export const ERRORS = {
  USAGE: { exitCode: 2, status: 400 },
  NOT_FOUND: { exitCode: 1, status: 404 },
  NO_RUNS: { exitCode: 1, status: 404 },
  SERVER_UNREACHABLE: { exitCode: 1, status: 502 },
  SERVER_ERROR: { exitCode: 1, status: 502 },
  RATE_LIMITED: { exitCode: 1, status: 429 },
  BAD_REQUEST: { exitCode: 1, status: 400 },
  UNAUTHORIZED: { exitCode: 1, status: 401 },
  FORBIDDEN: { exitCode: 1, status: 403 },
  CONFLICT: { exitCode: 1, status: 409 },
  STILL_RUNNING: { exitCode: 1, status: 409 },
  TOO_LARGE: { exitCode: 1, status: 413 },
  LIMIT_EXCEEDED: { exitCode: 1, status: 400 },
  STORE_ERROR: { exitCode: 1, status: 500 },
  CONFIG_ERROR: { exitCode: 1, status: 500 },
  INTERNAL: { exitCode: 1, status: 500 },
} as const satisfies Record<string, { exitCode: number; status: number }>;

export type ErrorCode = keyof typeof ERRORS;

/** Who a credential error is about: the claim key a write needs, or the user token. */
export type Credential = 'claim key' | 'user token';

const CREDENTIALS: Record<Credential, { request: string; header: string; get: string }> = {
  'claim key': { request: 'This write', header: 'ck_…', get: 'get a fresh one with POST /api/v1/claims' },
  'user token': { request: 'This request', header: 'ut_…', get: 'get one with POST /api/v1/users' },
};

/**
 * The message template of the common codes: a call site passes the values, the wording lives here,
 * so every message of a code reads alike (one sentence: what went wrong; what to do).
 */
export const MESSAGES = {
  /** `thing`: what does not exist, with where (`session s_… in the embedded store`); `hint`: what to do. */
  NOT_FOUND: (v: { thing: string; hint: string }) => `No ${v.thing}; ${v.hint}.`,
  /** `from`: who sent too many (`this address`, `this machine`); `retryAfter` in seconds. */
  RATE_LIMITED: (v: { from: string; retryAfter: number }) => `Too many requests from ${v.from}; retry after ${v.retryAfter} s.`,
  /** A request without the credential it needs. */
  UNAUTHORIZED: (v: { credential: Credential }) => {
    const c = CREDENTIALS[v.credential];
    return `${c.request} needs a valid${v.credential === 'claim key' ? ', unexpired' : ''} ${v.credential} (Authorization: Bearer ${c.header}); ${c.get}.`;
  },
  /** A server count limit: `what` (`sessions per user`), its `limit`, the `serve` option setting it, and `advice`. */
  LIMIT_EXCEEDED: (v: { what: string; limit: number; option: string; advice: string }) =>
    `The server allows at most ${v.limit} ${v.what} (serve ${v.option}); ${v.advice}`,
} as const satisfies Partial<Record<ErrorCode, (values: never) => string>>;

/** A code with a message template in {@link MESSAGES}. */
export type TemplatedCode = keyof typeof MESSAGES;

/**
 * An error the user can act on. `message` is one sentence saying what went wrong and what to do.
 * `exitCode` is what the CLI exits with; `statusCode` what the API answers.
 */
export class ExecTrackError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly statusCode: number;
  /** Seconds to wait before retrying (RATE_LIMITED). */
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryAfter?: number; statusCode?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ExecTrackError';
    this.code = code;
    this.exitCode = ERRORS[code].exitCode;
    this.statusCode = options.statusCode ?? ERRORS[code].status;
    this.retryAfter = options.retryAfter;
  }

  /**
   * The error of a code from {@link MESSAGES}, worded by its template; a RATE_LIMITED error also
   * carries its `retryAfter`.
   */
  static of<C extends TemplatedCode>(
    code: C,
    values: Parameters<(typeof MESSAGES)[C]>[0],
    options: { cause?: unknown; statusCode?: number } = {},
  ): ExecTrackError {
    const message = (MESSAGES[code] as (v: typeof values) => string)(values);
    const retryAfter = 'retryAfter' in values ? values.retryAfter : undefined;
    return new ExecTrackError(code, message, { ...options, retryAfter });
  }

  /** The `{"error":{"code","message"}}` body of the API and of `--json` errors. */
  toJSON(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** True for an {@link ExecTrackError}. */
export function isExecTrackError(e: unknown): e is ExecTrackError {
  return e instanceof ExecTrackError;
}
