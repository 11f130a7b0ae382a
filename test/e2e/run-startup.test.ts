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
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify({ builtins: process.moduleLoadList, files: Object.keys(require.cache), maps: require('node:fs').readFileSync('/proc/self/maps', 'utf8') })));`,
  );
  // the store exists already, as for every run but a machine's first; the cwd is outside any git repository
  expect((await runCli(['run', '--quiet', '--', 'true'], { home: home.dir, cwd: home.dir })).exitCode).toBe(0);
  const result = await runCli(['run', '--quiet', '--', ...command], { home: home.dir, cwd: home.dir, env: { NODE_OPTIONS: `--require ${preload}` } });
  expect(result.exitCode).toBe(0);
  const loaded = JSON.parse(readFileSync(report, 'utf8')) as { builtins: string[]; files: string[]; maps: string };
  return { builtins: loaded.builtins, files: loaded.files.filter((file) => file !== preload), maps: loaded.maps };
}

describe('a run start', () => {
  it('requires only bin/exec-track (which compiles the prelude and the bundle itself; the SQLite addon is loaded by its path), and loads neither crypto nor zlib, readline or v8 when the command prints nothing', async () => {
    const { builtins, files, maps } = await startOf(['true']);
    expect(files.map((file) => file.replace(/.*\//, ''))).toEqual(['exec-track']);
    expect(maps).toContain('/better_sqlite3.node');
    const unneeded = builtins.filter((name) => /^NativeModule (zlib|readline|v8|crypto|internal\/crypto\/.*)$/.test(name));
    expect(unneeded).toEqual([]);
  });

  it('loads zlib once the command prints a line (its chunk is compressed)', async () => {
    const { builtins } = await startOf(['echo', 'hello']);
    expect(builtins).toContain('NativeModule zlib');
  });
});

describe('the bundle a start compiles', () => {
  it('is track.cjs for `run` and `record`, exec-track.cjs for the other commands, each compiled from its own code cache', async () => {
    home = tempHome();
    const dir = home.dir;
    // a preload that logs each file bin/exec-track compiles with a code cache, and whether V8 took the cache
    const log = join(dir, 'compiled.json');
    const preload = join(dir, 'preload.cjs');
    writeFileSync(
      preload,
      `const vm = require('node:vm'); const compiled = [];
      vm.Script = class extends vm.Script { constructor(code, options) { super(code, options); if (options.cachedData) compiled.push([require('node:path').basename(options.filename), !this.cachedDataRejected]); } };
      process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(log)}, JSON.stringify(compiled)));`,
    );
    const env = { NODE_OPTIONS: `--require ${preload}` };
    const compiled = async (args: string[], input?: string) => {
      expect((await runCli(args, { home: dir, cwd: dir, env, input })).exitCode).toBe(0);
      return JSON.parse(readFileSync(log, 'utf8')) as [string, boolean][];
    };
    expect(await compiled(['run', '--quiet', '--', 'true'])).toEqual([['track.cjs', true]]);
    const events = `${JSON.stringify({ type: 'start', protocol: 2, name: 'cell' })}\n${JSON.stringify({ type: 'finish', ok: true })}\n`;
    expect(await compiled(['record', '--quiet'], events)).toEqual([['track.cjs', true]]);
    expect(await compiled(['run', '--help'])).toEqual([['track.cjs', true]]);
    for (const args of [['report', 'last'], ['sessions'], ['--help']]) expect(await compiled(args)).toEqual([['exec-track.cjs', true]]);
  });
});
