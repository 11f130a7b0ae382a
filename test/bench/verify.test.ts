import { describe, expect, it } from 'vitest';
// @ts-expect-error the harness is plain ESM JavaScript without type declarations
import { verifyDb } from '../../bench/lib/verify.mjs';
// @ts-expect-error the harness is plain ESM JavaScript without type declarations
import { FORMATS } from '../../bench/lib/inputs.mjs';
import { EXEC, freshStore, lines, range } from '../store/setup.js';

const plain = (seq: number): string => FORMATS.plain.js(seq);

describe('bench verifyDb (a fast wrong answer fails)', () => {
  it('accepts an execution holding every line exactly once', async () => {
    const { store, path } = await freshStore();
    await store.appendReports(EXEC, lines(range(0, 500), plain));
    expect(await verifyDb(path, { executions: 1, lines: 500 })).toBeNull();
  });

  it.each([
    ['a line is missing', range(0, 499), 500, /holds 499 lines|counts 499/],
    ['a line is altered', range(0, 500), 500, /line 7 is/],
    ['more lines than expected', range(0, 501), 500, /counts 501/],
  ])('reports it when %s', async (_name, seqs, expected, message) => {
    const { store, path } = await freshStore();
    await store.appendReports(
      EXEC,
      lines(seqs, (seq) => (seq === 7 && _name.includes('altered') ? 'tampered' : plain(seq))),
    );
    expect(await verifyDb(path, { executions: 1, lines: expected })).toMatch(message);
  });

  it('reports a missing execution', async () => {
    const { path } = await freshStore();
    expect(await verifyDb(path, { executions: 2, lines: 0 })).toMatch(/expected 2 executions, found 1/);
  });
});
