import { chmodSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error the harness is plain ESM JavaScript without type declarations
import { findTools, missingToolMessages } from '../../bench/lib/tools.mjs';
// @ts-expect-error the harness is plain ESM JavaScript without type declarations
import { formatTable, skippedRow, verdict } from '../../bench/lib/stats.mjs';
import { tempHome } from '../helpers/cli.js';

describe('bench tools', () => {
  let home: ReturnType<typeof tempHome>;
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(() => home.cleanup());

  it('finds a program only as an executable file on PATH', () => {
    writeFileSync(join(home.dir, 'tsp'), '#!/bin/sh\n');
    chmodSync(join(home.dir, 'tsp'), 0o755);
    writeFileSync(join(home.dir, 'sqlite3'), 'not executable');
    expect(findTools(['/nonexistent', home.dir].join(delimiter))).toMatchObject({ sqlite3: false, tsp: true });
    expect(findTools('')).toMatchObject({ sqlite3: false, tsp: false });
  });

  it('says what is missing, how to install it and which rows are skipped', () => {
    expect(missingToolMessages({ sqlite3: true, tsp: true, postgres: true })).toEqual([]);
    expect(missingToolMessages({ sqlite3: false, tsp: true, postgres: false })).toEqual([
      'sqlite3 not found on PATH; install it with `apt-get install sqlite3 (macOS: brew install sqlite)`. Skipping B2, B3, B3m, B5, B5f (their baseline is the sqlite3 CLI import).',
      'postgres not found; install it with `apt-get install postgresql`. Skipping B3pg, S1, S2 (they run the server on a PostgreSQL cluster of their own).',
    ]);
  });

  it('prints a skipped row without figures, verdict skip, its note below', () => {
    const row = skippedRow({ id: 'tsp', what: 'tsp cat', unit: 'ms', note: 'tsp not found; install it with `apt-get install task-spooler`' });
    expect(verdict(row)).toBe('skip');
    expect(row.ok).toBe(true);
    const lines = formatTable([row]).split('\n');
    expect(lines[2]).toMatch(/^tsp tsp cat\s+—\s+—\s+—\s+—\s+skip$/);
    expect(lines.at(-1)).toBe('  tsp: tsp not found; install it with `apt-get install task-spooler`');
  });
});
