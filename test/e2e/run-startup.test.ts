import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';

/**
 * What a plain `run` loads at its start (issue 16 point 4, B4 in docs/benchmarks.md "Start-up"): the
 * bundle and better-sqlite3's addon and none of the Node modules only other paths need. A preload
 * records `process.moduleLoadList` and the required files at exit.
 */
let home: { dir: string; cleanup: () => void } | undefined;
afterEach(() => home?.cleanup());

async function startOf(command: string[]): Promise<{ builtins: string[]; files: string[] }> {
  home = tempHome();
  const report = join(home.dir, 'loaded.json');
  const preload = join(home.dir, 'preload.cjs');
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify({ builtins: process.moduleLoadList, files: Object.keys(require.cache) })));`,
  );
  // the store exists already, as for every run but a machine's first; the cwd is outside any git repository
  expect((await runCli(['run', '--quiet', '--', 'true'], { home: home.dir, cwd: home.dir })).exitCode).toBe(0);
  const result = await runCli(['run', '--quiet', '--', ...command], { home: home.dir, cwd: home.dir, env: { NODE_OPTIONS: `--require ${preload}` } });
  expect(result.exitCode).toBe(0);
  const loaded = JSON.parse(readFileSync(report, 'utf8')) as { builtins: string[]; files: string[] };
  return { builtins: loaded.builtins, files: loaded.files.filter((file) => file !== preload) };
}

describe('a run start', () => {
  it('requires only bin/exec-track (which compiles the bundle and the context starter itself) and the SQLite addon, and loads neither crypto nor zlib, readline or v8 when the command prints nothing', async () => {
    const { builtins, files } = await startOf(['true']);
    expect(files.map((file) => file.replace(/.*\//, ''))).toEqual(['exec-track', 'better_sqlite3.node']);
    const unneeded = builtins.filter((name) => /^NativeModule (zlib|readline|v8|crypto|internal\/crypto\/.*)$/.test(name));
    expect(unneeded).toEqual([]);
  });

  it('loads zlib once the command prints a line (its chunk is compressed)', async () => {
    const { builtins } = await startOf(['echo', 'hello']);
    expect(builtins).toContain('NativeModule zlib');
  });
});
