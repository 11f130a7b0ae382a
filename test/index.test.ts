import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as lib from '../src/index.js';

describe('the library face (src/index.ts)', () => {
  it('opens a store, mints ids and parses metrics with the same pieces the CLI uses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exec-track-lib-'));
    const store = await lib.openStore(join(dir, 'x.db'));
    const session = await store.createSession({ id: lib.newId('s'), title: 'lib', createdAt: 1, ownerId: null });
    expect(lib.isId('s', session.id)).toBe(true);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    const parse = await lib.createMetricParser({ enabled: true });
    expect(parse('epoch=3 loss=0.25')).toEqual([
      { key: 'epoch', value: 3, step: 3 },
      { key: 'loss', value: 0.25, step: 3 },
    ]);
    expect(lib.STATES).toEqual(['Passive', 'Running', 'Execution crushed', 'Exec crushed']);
  });
});

describe('the version', () => {
  it('is the one in package.json (what --version and the execution context say)', async () => {
    const { VERSION } = await import('../src/version.js');
    const { readFileSync } = await import('node:fs');
    expect(VERSION).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
  });
});
