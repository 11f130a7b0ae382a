import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, tempHome } from '../helpers/cli.js';

const RUN = resolve(import.meta.dirname, '../../bench/run.mjs');

/** A PATH holding only the programs the exec-track rows run, none of sqlite3 and tsp. */
function barePath(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const name of ['cat', 'head', 'true', 'sh', 'sync']) {
    const found = (process.env.PATH ?? '')
      .split(delimiter)
      .map((d) => join(d, name))
      .find((p) => existsSync(p));
    if (!found) throw new Error(`${name} is not on PATH`);
    symlinkSync(found, join(bin, name));
  }
  return bin;
}

describe('npm run bench on a machine without sqlite3 and tsp', () => {
  let home: ReturnType<typeof tempHome>;
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(() => home.cleanup());

  it('names each missing program with its install command, skips its rows and still measures the others', async () => {
    const env = { ...process.env, PATH: barePath(home.dir), TMPDIR: home.dir };
    const child = spawn(process.execPath, [RUN, '--quick', '--only', 'B2,tsp,B6', '--results', home.dir], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const r = await collect(child, undefined, 120_000);

    expect(r.err).toContain(
      'bench: sqlite3 not found on PATH; install it with `apt-get install sqlite3 (macOS: brew install sqlite)`. Skipping B2, B3, B3m, B5, B5f',
    );
    expect(r.err).toContain('bench: tsp not found on PATH; install it with `apt-get install task-spooler`. Skipping tsp');
    expect(r.err).not.toMatch(/^\s+at /m);
    expect(r.exitCode).toBe(0);
    for (const id of ['B2', 'tsp', 'B3', 'B3m']) expect(r.out).toMatch(new RegExp(`^${id} .*—\\s+skip$`, 'm'));
    expect(r.out).toMatch(/^B6 report .* ms\s+\S+×\s+≤ 1\.30×\s+(pass|FAIL)$/m);

    const result = JSON.parse(readFileSync(join(home.dir, 'latest-only.json'), 'utf8')) as {
      rows: Array<{ id: string; skipped?: boolean; note: string | null }>;
    };
    expect(result.rows.map((row) => [row.id, row.skipped ?? false])).toEqual([
      ['B2', true],
      ['tsp', true],
      ['B3', true],
      ['B3m', true],
      ['B6', false],
    ]);
    expect(result.rows[0]!.note).toBe('sqlite3 not found; install it with `apt-get install sqlite3 (macOS: brew install sqlite)`');
  });
});
