import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';

let home: ReturnType<typeof tempHome>;
let cwd: string;
beforeEach(() => {
  home = tempHome();
  cwd = mkdtempSync(join(tmpdir(), 'exec-track-serve-cwd-'));
});
afterEach(() => {
  home.cleanup();
  rmSync(cwd, { recursive: true, force: true });
});

describe('exec-track serve refuses options it cannot serve with', () => {
  it.each([
    [['--max-body', '0'], 'exec-track: --max-body expects a whole number from 1 to 9007199254740991, got "0".\n'],
    [['--max-frame', '0'], 'exec-track: --max-frame expects a whole number from 1 to 9007199254740991, got "0".\n'],
    [['--max-line', '0'], 'exec-track: --max-line expects a whole number from 1 to 9007199254740991, got "0".\n'],
    [
      ['--db', 'mysql://me:hunter2@db.example/exec'],
      'exec-track: --db takes a postgres:// URL or the path of a SQLite file; mysql:// URLs are not supported.\n',
    ],
  ])('%j: one sentence, exit 2, nothing created', async (args, message) => {
    const r = await runCli(['serve', '--port', '0', ...args], { home: home.dir, cwd, timeoutMs: 20_000 });
    expect([r.exitCode, r.err, r.out]).toEqual([2, message, '']);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('names an unreachable PostgreSQL in one sentence without its password (exit 1)', async () => {
    const r = await runCli(['serve', '--port', '0', '--db', 'postgres://me:hunter2@127.0.0.1:1/exec'], { home: home.dir, timeoutMs: 20_000 });
    expect([r.exitCode, r.err, r.out]).toEqual([
      1,
      'exec-track: Cannot open the PostgreSQL database postgres://me:***@127.0.0.1:1/exec (ECONNREFUSED); check --db and that the server accepts connections.\n',
      '',
    ]);
  });

  it('names a directory given as --db (exit 2), instead of a wrong cause', async () => {
    const r = await runCli(['serve', '--port', '0', '--db', cwd], { home: home.dir, timeoutMs: 20_000 });
    expect([r.exitCode, r.err]).toEqual([2, `exec-track: --db ${cwd} is a directory; give the path of a SQLite file, such as ${join(cwd, 'server.db')}.\n`]);
  });
});
