import { describe, expect, it } from 'vitest';
import { ClaimKeys } from '../../../src/server/auth/claims.js';
import type { Store } from '../../../src/store/store.js';
import { testClock } from '../setup.js';

// ClaimKeys touches the store only for its secret: a one-method stand-in keeps this a unit test
function secretStore(secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I'): Store {
  return { getOrCreateSecret: async () => secret } as unknown as Store;
}

const USER = 'u_AAAAAAAAAAAAAAAAAAAAAA';

describe('ClaimKeys', () => {
  it('verifies a key it issued, for the user it was issued to, until 24 h later', async () => {
    const clock = testClock();
    const keys = await ClaimKeys.open(secretStore(), 86_400_000, clock);
    const { claimKey, expiresAt } = keys.issue(USER);
    expect(claimKey).toMatch(/^ck_/);
    expect(expiresAt).toBe(clock.now + 86_400_000);
    expect(keys.verify(claimKey)).toEqual({ userId: USER, expiresAt });
    clock.now = expiresAt - 1;
    expect(keys.verify(claimKey).userId).toBe(USER);
    clock.now = expiresAt;
    expect(() => keys.verify(claimKey)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED', statusCode: 401 }));
  });

  it('refuses a key signed with another server secret', async () => {
    const clock = testClock();
    const other = (await ClaimKeys.open(secretStore('b3RoZXItb3RoZXItb3RoZXItb3RoZXItb3RoZXItb3R'), 1000, clock)).issue(USER).claimKey;
    const keys = await ClaimKeys.open(secretStore(), 1000, clock);
    expect(() => keys.verify(other)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
  });

  it.each([
    ['a changed user', (k: string) => k.replace(USER, 'u_BAAAAAAAAAAAAAAAAAAAAA')],
    ['a later expiry', (k: string) => k.replace(/\.([0-9a-z]+)\./, (_m, e: string) => `.${(Number.parseInt(e, 36) + 1).toString(36)}.`)],
    ['a cut signature', (k: string) => k.slice(0, -1)],
    ['no key at all', () => ''],
    ['a user token', () => 'ut_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('refuses %s', async (_name, tamper) => {
    const keys = await ClaimKeys.open(secretStore(), 1000, testClock());
    expect(() => keys.verify(tamper(keys.issue(USER).claimKey))).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
  });
});
