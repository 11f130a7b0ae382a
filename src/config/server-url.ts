import { ExecTrackError } from '../errors.js';

/**
 * Normalises a server base URL (`http(s)://host[:port][/prefix]`, trailing slashes dropped).
 * @throws ExecTrackError USAGE (exit 2) when `value` is not an http(s) URL without query or fragment.
 */
export function parseServerUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new ExecTrackError('USAGE', `"${value}" is not a server URL; give one like http://127.0.0.1:8080.`);
  }
  return url.toString().replace(/\/+$/, '');
}
