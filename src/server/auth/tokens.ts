import { createHash, randomBytes } from 'node:crypto';
import { ExecTrackError } from '../../errors.js';

/** Mints a user token: `ut_` + 256 bits from the OS CSPRNG, base64url. Shown to its user once. */
export function newUserToken(): string {
  return `ut_${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 (hex) of a token: the only form in which the server keeps it. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The bearer credential of a request (`Authorization: Bearer <value>`), or undefined.
 * The value is never logged.
 */
export function bearerOf(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/** 401 for a missing or unknown user token. */
export function badToken(): ExecTrackError {
  return ExecTrackError.of('UNAUTHORIZED', { credential: 'user token' });
}
