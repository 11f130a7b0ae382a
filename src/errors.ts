/**
 * The one list of errors (modelled on fastify's lib/errors.js). Each code has a stable name,
 * a CLI exit code (DESIGN §4: 1 operational, 2 usage) and an HTTP status for the API.
 * Every code is documented in docs/errors.md (a test checks it).
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
  LIMIT_EXCEEDED: { exitCode: 1, status: 429 },
  STORE_ERROR: { exitCode: 1, status: 500 },
  CONFIG_ERROR: { exitCode: 1, status: 500 },
  INTERNAL: { exitCode: 1, status: 500 },
} as const satisfies Record<string, { exitCode: number; status: number }>;

export type ErrorCode = keyof typeof ERRORS;

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

  /** The `{"error":{"code","message"}}` body of the API and of `--json` errors. */
  toJSON(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** True for an {@link ExecTrackError}. */
export function isExecTrackError(e: unknown): e is ExecTrackError {
  return e instanceof ExecTrackError;
}
