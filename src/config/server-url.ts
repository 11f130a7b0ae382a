import { ExecTrackError } from '../errors.js';

/**
 * Normalises a server base URL (`http(s)://host[:port][/prefix]`, trailing slashes dropped).
 * A URL with a user name or password is refused: it would be stored in the config and the spool and
 * shown in messages, and the CLI authenticates with its own tokens (docs/security.md).
 * @throws ExecTrackError USAGE (exit 2) when `value` is not an http(s) URL without credentials, query or fragment;
 * the message shows the URL with its password masked.
 */
export function parseServerUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url && (url.username || url.password)) {
    throw new ExecTrackError(
      'USAGE',
      `The server URL "${maskUrl(value)}" holds a user name or password; give it without them (see docs/security.md for servers behind a password).`,
    );
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new ExecTrackError('USAGE', `"${maskUrl(value)}" is not a server URL; give one like http://127.0.0.1:8080.`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** `value` with the password of its `user:password@` part replaced by `***` (any text, URL or not). */
export function maskUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#]*@/i, '$1:***@');
}
