/** ID kinds and their prefixes: `s_` session, `e_` execution, `u_` user, `n_` notification rule. */
export type IdKind = 's' | 'e' | 'u' | 'n';

/** The one ID pattern: `<kind>_` + 128 bits from the OS CSPRNG, base64url without padding (always 22 characters). */
export function idPattern(kind: IdKind): RegExp {
  return new RegExp(`^${kind}_[A-Za-z0-9_-]{22}$`);
}

const ID_PATTERNS: Record<IdKind, RegExp> = { s: idPattern('s'), e: idPattern('e'), u: idPattern('u'), n: idPattern('n') };

/**
 * Mints a capability ID: `<kind>_` + 128 random bits (Web Crypto's `getRandomValues`, the OS CSPRNG)
 * in base64url (RFC 4648 §5). Whoever holds the ID may read the object, so it must never be guessable.
 * The global `crypto` rather than node:crypto: it loads about half as much of Node at a `run`'s start (B4).
 */
export function newId(kind: IdKind): string {
  return `${kind}_${Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url')}`;
}

/** True when `value` has the exact shape of an ID of `kind` (does not say whether it exists). */
export function isId(kind: IdKind, value: string): boolean {
  return ID_PATTERNS[kind].test(value);
}
