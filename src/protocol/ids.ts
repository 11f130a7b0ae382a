import { randomBytes } from 'node:crypto';

/** ID kinds and their prefixes: `s_` session, `e_` execution, `u_` user. */
export type IdKind = 's' | 'e' | 'u';

/** 128 bits from the OS CSPRNG, base64url without padding: always 22 characters. */
const ID_BODY = /^[A-Za-z0-9_-]{22}$/;

/**
 * Mints a capability ID: `<kind>_` + 128 random bits (node:crypto randomBytes, the OS CSPRNG) in
 * base64url (RFC 4648 §5). Whoever holds the ID may read the object, so it must never be guessable.
 */
export function newId(kind: IdKind): string {
  return `${kind}_${randomBytes(16).toString('base64url')}`;
}

/** True when `value` has the exact shape of an ID of `kind` (does not say whether it exists). */
export function isId(kind: IdKind, value: string): boolean {
  return value.startsWith(`${kind}_`) && ID_BODY.test(value.slice(2));
}
