import { closeSync, openSync, readSync } from 'node:fs';

/** ID kinds and their prefixes: `s_` session, `e_` execution, `u_` user, `n_` notification rule. */
export type IdKind = 's' | 'e' | 'u' | 'n';

/** The one ID pattern: `<kind>_` + 128 bits from the OS CSPRNG, base64url without padding (always 22 characters). */
export function idPattern(kind: IdKind): RegExp {
  return new RegExp(`^${kind}_[A-Za-z0-9_-]{22}$`);
}

const ID_PATTERNS: Record<IdKind, RegExp> = { s: idPattern('s'), e: idPattern('e'), u: idPattern('u'), n: idPattern('n') };

/**
 * Mints a capability ID: `<kind>_` + 128 random bits from the OS CSPRNG in base64url (RFC 4648 §5).
 * Whoever holds the ID may read the object, so it must never be guessable.
 */
export function newId(kind: IdKind): string {
  return `${kind}_${randomBits128().toString('base64url')}`;
}

/**
 * 16 bytes from the kernel's CSPRNG: read from /dev/urandom (random(4); what getrandom(2) and Node's
 * crypto draw from), else Web Crypto's `getRandomValues`. The file first because `crypto` loads eight
 * of Node's modules at a `run`'s start, ~4 ms of its CPU (B4, docs/benchmarks.md); fs is loaded anyway.
 */
function randomBits128(): Buffer {
  const bytes = Buffer.alloc(16);
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      if (readSync(fd, bytes, 0, 16, null) === 16) return bytes;
    } finally {
      closeSync(fd);
    }
  } catch {
    // no /dev/urandom (not Linux or macOS, a chroot without /dev): Web Crypto below
  }
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16)));
}

/** True when `value` has the exact shape of an ID of `kind` (does not say whether it exists). */
export function isId(kind: IdKind, value: string): boolean {
  return ID_PATTERNS[kind].test(value);
}
