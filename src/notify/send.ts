import type { RenderedMessage } from './message.js';

/** The answer to one POST; `status` null when no HTTP answer came (network error, timeout). */
export interface SendResult {
  status: number | null;
  /** The `Retry-After` header, if any. */
  retryAfter: string | null;
  /** The answer's body (at most 2 000 characters) or the network error's message. */
  text: string;
}

/**
 * POSTs a rendered message with Node's fetch (undici) and reads at most 2 000 characters of the
 * answer. Redirects are not followed (a webhook that moves answers 3xx: retried, then given up).
 * Never throws: network errors and the timeout come back as `status: null`.
 * @param timeoutMs for the whole exchange.
 */
export async function post(url: string, message: RenderedMessage, timeoutMs: number): Promise<SendResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: message.headers,
      body: message.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, retryAfter: response.headers.get('retry-after'), text: text.slice(0, 2000) };
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    return { status: null, retryAfter: null, text: cause?.message ?? (error as Error).message };
  }
}
