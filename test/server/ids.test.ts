import { describe, expect, it } from 'vitest';
import { isId, newId } from '../../src/protocol/ids.js';

describe('capability ids', () => {
  it.each(['s', 'e', 'u'] as const)('mints %s_ ids of 128 random bits in base64url', (kind) => {
    const id = newId(kind);
    expect(id).toMatch(new RegExp(`^${kind}_[A-Za-z0-9_-]{22}$`));
    expect(Buffer.from(id.slice(2), 'base64url')).toHaveLength(16);
    expect(isId(kind, id)).toBe(true);
  });

  it('never repeats across 100 000 ids', () => {
    const ids = new Set(Array.from({ length: 100_000 }, () => newId('e')));
    expect(ids.size).toBe(100_000);
  });

  it.each(['', 'e_', 'e_short', 's_AAAAAAAAAAAAAAAAAAAAAA', 'e_AAAAAAAAAAAAAAAAAAAAA!', 'e_AAAAAAAAAAAAAAAAAAAAAAA'])(
    'rejects the malformed execution id %j',
    (value) => {
      expect(isId('e', value)).toBe(false);
    },
  );
});
