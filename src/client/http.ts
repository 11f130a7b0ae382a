import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
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
 * One JSON request to an exec-track server. Resolves with the parsed body on 2xx.
 * Throws ExecTrackError: SERVER_UNREACHABLE when the server cannot be reached, RATE_LIMITED (with
 * `retryAfter` seconds from the Retry-After header) on 429, the server's own `{"error":{code,message}}`
 * on other 4xx/5xx (its `statusCode` kept), SERVER_ERROR when the answer is not exec-track JSON.
 *
 * Built on node:http(s) rather than undici: the `run` wrapper makes a handful of requests, and
 * loading undici costs ~20 MB of resident memory, a large share of the wrapper's 150 MB bound (issue 3).
 */
export async function requestJson<T>(url: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  let response: RawResponse;
  try {
    response = await send(url, options.method ?? (payload === undefined ? 'GET' : 'POST'), headers, payload, options.timeoutMs ?? 15_000, options.signal);
  } catch (cause) {
    const origin = new URL(url).origin;
    throw new ExecTrackError('SERVER_UNREACHABLE', `Cannot reach the exec-track server at ${origin}; check that it is running and the URL is right.`, {
      cause,
    });
  }
  const parsed = parseBody(response.text);
  if (response.status < 400) return parsed as T;
  if (response.status === 429) {
    const retryAfter = Number(response.headers['retry-after'] ?? 0) || 60;
    throw ExecTrackError.of('RATE_LIMITED', { from: 'this machine', retryAfter });
  }
  const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
  if (error?.code && error.message) {
    const code = (error.code in ERRORS ? error.code : 'SERVER_ERROR') as ErrorCode;
    throw new ExecTrackError(code, error.message, { statusCode: response.status });
  }
  throw new ExecTrackError('SERVER_ERROR', `The server answered HTTP ${response.status} without an exec-track error; check the server URL.`, {
    statusCode: response.status,
  });
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** One HTTP exchange; rejects on network errors, on `timeoutMs` of socket inactivity and on abort. */
function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  payload: string | undefined,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = new URL(url).protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      url,
      { method, headers: payload === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(payload)) }, signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
