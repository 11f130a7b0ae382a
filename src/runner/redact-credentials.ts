import { REDACTED } from './redact-matcher.js';

// `Authorization: Bearer <token>` (also Basic/Token/Digest, and Proxy-Authorization), as in curl -H or curl -v output
const AUTH_HEADER = /\b((?:proxy-)?authorization:\s*(?:bearer|basic|token|digest)\s+)[^\s'"]+/gi;
// the password of a URL's userinfo: scheme://user:password@host (RFC 3986 §3.2.1)
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+:)[^\s@/'"]+@/gi;
const MAYBE = /authorization|:\/\//i;

/**
 * Masks credentials recognisable by their shape wherever they appear, whatever their source: HTTP
 * `Authorization`/`Proxy-Authorization` header values and URL userinfo passwords
 * (`https://user:[REDACTED]@host`). One cheap test skips lines that cannot hold either.
 */
export function maskCredentials(s: string): string {
  if (!MAYBE.test(s)) return s;
  return s.replace(AUTH_HEADER, `$1${REDACTED}`).replace(URL_PASSWORD, `$1${REDACTED}@`);
}
