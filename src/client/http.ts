import { request } from 'undici';
import { ExecTrackError, ERRORS, type ErrorCode } from '../errors.js';

/** Options of {@link requestJson}. */
export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  /** Sent as `Authorization: Bearer <bearer>` (user token or claim key, DESIGN §6). */
  bearer?: string;
  /** Per-request timeout in ms (default 15 000). */
  timeoutMs?: number;
  /** Aborts the request (reported as SERVER_UNREACHABLE). */
  signal?: AbortSignal;
}

/**
 * One JSON request to an exec-track server (undici). Resolves with the parsed body on 2xx.
 * Throws ExecTrackError: SERVER_UNREACHABLE when the server cannot be reached, RATE_LIMITED (with
 * `retryAfter` seconds from the Retry-After header) on 429, the server's own `{"error":{code,message}}`
 * on other 4xx/5xx (its `statusCode` kept), SERVER_ERROR when the answer is not exec-track JSON.
 */
export async function requestJson<T>(url: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  const timeout = options.timeoutMs ?? 15_000;
  let response;
  try {
    response = await request(url, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: options.signal,
    });
  } catch (cause) {
    const origin = new URL(url).origin;
    throw new ExecTrackError('SERVER_UNREACHABLE', `Cannot reach the exec-track server at ${origin}; check that it is running and the URL is right.`, { cause });
  }
  const text = await response.body.text();
  const parsed = parseBody(text);
  if (response.statusCode < 400) return parsed as T;
  if (response.statusCode === 429) {
    const retryAfter = Number(response.headers['retry-after'] ?? 0) || 60;
    throw new ExecTrackError('RATE_LIMITED', `The server rate-limited this machine; retry after ${retryAfter} s.`, { retryAfter });
  }
  const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
  if (error?.code && error.message) {
    const code = (error.code in ERRORS ? error.code : 'SERVER_ERROR') as ErrorCode;
    throw new ExecTrackError(code, error.message, { statusCode: response.statusCode });
  }
  throw new ExecTrackError('SERVER_ERROR', `The server answered HTTP ${response.statusCode} without an exec-track error; check the server URL.`, { statusCode: response.statusCode });
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
