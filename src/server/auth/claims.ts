import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ExecTrackError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { Clock } from '../options.js';

/** Name of the server secret (kept in the DB) that signs claim keys. */
export const CLAIM_SECRET = 'claim-hmac-v1';

/** A verified claim: the user it speaks for and when it stops being valid (ms since epoch UTC). */
export interface Claim {
  userId: string;
  expiresAt: number;
}

/**
 * Stateless daily claim keys (issue 4 point 3): `ck_<userId>.<expiresAt base36>.<HMAC-SHA256 base64url>`
 * over `<userId>.<expiresAt>` with a server secret, so checking one needs no DB lookup and a
 * restarted server still accepts keys it issued.
 */
export class ClaimKeys {
  readonly #secret: Buffer;
  readonly #ttlMs: number;
  readonly #clock: Clock;

  private constructor(secret: Buffer, ttlMs: number, clock: Clock) {
    this.#secret = secret;
    this.#ttlMs = ttlMs;
    this.#clock = clock;
  }

  /** Loads (or creates on first start) the signing secret from the store. */
  static async open(store: Store, ttlMs: number, clock: Clock): Promise<ClaimKeys> {
    const secret = await store.getOrCreateSecret(CLAIM_SECRET, () => randomBytes(32).toString('base64url'));
    return new ClaimKeys(Buffer.from(secret, 'base64url'), ttlMs, clock);
  }

  /** Issues a key for `userId`, valid for the configured TTL from now. */
  issue(userId: string): { claimKey: string; expiresAt: number } {
    const expiresAt = this.#clock() + this.#ttlMs;
    const payload = `${userId}.${expiresAt.toString(36)}`;
    return { claimKey: `ck_${payload}.${this.#mac(payload)}`, expiresAt };
  }

  /**
   * Verifies a bearer value. Throws UNAUTHORIZED (401) when it is missing, malformed, forged or
   * expired — one message for all, so the answer is no oracle.
   */
  verify(key: string | undefined): Claim {
    const match = /^ck_(u_[A-Za-z0-9_-]{22})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(key ?? '');
    if (!match) throw unauthorized();
    const [, userId, expiry, mac] = match as unknown as [string, string, string, string];
    const expected = Buffer.from(this.#mac(`${userId}.${expiry}`));
    if (!timingSafeEqual(expected, Buffer.from(mac))) throw unauthorized();
    const expiresAt = Number.parseInt(expiry, 36);
    if (expiresAt <= this.#clock()) throw unauthorized();
    return { userId, expiresAt };
  }

  #mac(payload: string): string {
    return createHmac('sha256', this.#secret).update(payload).digest('base64url');
  }
}

function unauthorized(): ExecTrackError {
  return ExecTrackError.of('UNAUTHORIZED', { credential: 'claim key' });
}
