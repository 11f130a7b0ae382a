// Bundles the CLI (src/cli/main.ts and all it imports) into one CommonJS file,
// dist/bundle/exec-track.cjs, and a second one for the tracking commands alone,
// dist/bundle/track.cjs, and writes V8's code cache for each; bin/exec-track runs track.cjs for `run`
// and `record` and exec-track.cjs for every other command. Also dist/bundle/prelude.cjs, which
// bin/exec-track loads first for `run` and `record` (below). Run by `npm run build` (after tsc).
// Why, and the measurements: docs/benchmarks.md "Start-up".
//
// Node 20 pays per ES module file for resolving, reading, linking and its ES module loader: ~70
// files of ours plus commander's took ~50 ms of CPU at every `run`. One CommonJS file has none of
// that; the commands main.ts imports lazily (`await import('./commands/…')`) become functions that run
// when called, so `run` still never evaluates the server or the reports. Left outside, required
// from node_modules when first needed: native addons, and packages only the server, the reports or
// one option use (their files are read only by the paths needing them).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';

const OUT = 'dist/bundle/exec-track.cjs';
const TRACK_OUT = 'dist/bundle/track.cjs';
const PRELUDE_OUT = 'dist/bundle/prelude.cjs';
const BIN = resolve(import.meta.dirname, '../bin/exec-track');
/**
 * Not bundled: native code (node-pty; better-sqlite3's JavaScript is bundled, its addon is loaded by
 * path, src/store/sqlite/connection.ts) and packages a plain `run` never loads.
 */
const EXTERNAL = ['*.node', '@lydell/node-pty', 'pg', 'fastify', '@fastify/*', 'ws', 'zod-to-json-schema', 'asciichart'];

/** What every file here is built with: one CommonJS file for this Node, minified (less to read and parse; names stay, so a stack trace still names the functions). */
const COMMON = { bundle: true, format: 'cjs', platform: 'node', target: 'node20', minifyWhitespace: true, minifySyntax: true, logLevel: 'warning' };

/** The esbuild options of both CLI bundles, which differ only in their file and in which commands they hold. */
const CLI = {
  ...COMMON,
  entryPoints: ['src/cli/main.ts'],
  external: EXTERNAL,
  // `await import('@lydell/node-pty')` (src/runner/pty.ts) as a require: a plain CommonJS load, as for the others
  supported: { 'dynamic-import': false },
  // `import.meta.url` in CommonJS: this file's URL. src/web/assets.ts resolves ../../dist/web/assets/
  // from it, which is why the bundles sit two folders deep, as the tsc output does.
  define: { 'import.meta.url': '__exec_track_url' },
  banner: { js: "const __exec_track_url = require('node:url').pathToFileURL(__filename).href;" },
  // (the map has the rest of a stack trace's names and places)
  sourcemap: true,
};

/** The commands of track.cjs: bin/exec-track runs it when its first argument is one of these. */
const TRACK_COMMANDS = ['run', 'record'];

/**
 * For track.cjs: main.ts's lazy imports of the other command modules (`import('./commands/serve.js')`
 * and so on) resolve to one module of a line that throws. main.ts defines only the command named by its
 * first argument (all of them only for `--help`, `help` or an unknown name), and bin/exec-track picks
 * this bundle only when that argument is `run` or `record`, so nothing there reaches the others. Their
 * code (the server, the reports, the web pages, ora; ~40 % of exec-track.cjs) was never evaluated by a
 * `run`, but read, made a string of and compiled from the code cache with the rest at every start: on
 * this VM, where touching fresh memory is slow, milliseconds of each `run` (B4). Everything run.ts and
 * record.ts import themselves stays, including what only an option needs (zod for `--server`, notify).
 */
function onlyCommands(keep) {
  const main = resolve(import.meta.dirname, '../src/cli/main.ts');
  const seen = new Set();
  return {
    name: 'only-commands',
    setup(build) {
      build.onResolve({ filter: /^\.\/commands\/[^/]+\.js$/ }, ({ path, importer }) => {
        if (importer !== main) return undefined;
        const name = basename(path, '.js');
        if (keep.includes(name)) return void seen.add(name);
        return { path: 'other-command', namespace: 'only-commands' };
      });
      build.onLoad({ filter: /.*/, namespace: 'only-commands' }, () => ({
        contents: `throw new Error('${basename(TRACK_OUT)} holds only ${keep.join(' and ')}; bin/exec-track runs every other command from ${basename(OUT)}');`,
        loader: 'js',
      }));
      build.onEnd(() => {
        const missing = keep.filter((name) => !seen.has(name));
        if (missing.length > 0) throw new Error(`src/cli/main.ts imports no ./commands/${missing[0]}.js: update TRACK_COMMANDS here and in bin/exec-track`);
      });
    },
  };
}

await build({ ...CLI, outfile: OUT });
await build({ ...CLI, outfile: TRACK_OUT, plugins: [onlyCommands(TRACK_COMMANDS)] });

// bin/exec-track's first step for `run` and `record`: src/runner/prelude.ts alone (~3 kB), whose
// startPrelude starts the one child that makes the FIFOs and runs `git status` before the bundle loads,
// so that it runs meanwhile (B4). The bundle has its own copy of the module and takes the prelude over
// through a global (takePrelude).
await build({ ...COMMON, entryPoints: ['src/runner/prelude.ts'], outfile: PRELUDE_OUT });

// bin/exec-track reads the bundles and prelude.cjs as latin1 (a one-byte string, no UTF-8 decoding).
// esbuild writes non-ASCII as escapes except where it cannot (String.raw and other tagged templates):
// use `\u00b1` or an HTML entity there.
for (const out of [OUT, TRACK_OUT, PRELUDE_OUT]) {
  const nonAscii = /[^\x00-\x7f]/.exec(readFileSync(out, 'latin1'));
  if (nonAscii) {
    const before = readFileSync(out, 'latin1').slice(Math.max(0, nonAscii.index - 60), nonAscii.index);
    throw new Error(`${out} must be ASCII; a non-ASCII character follows ${JSON.stringify(before)} (write it as an escape or entity in src/)`);
  }
}

// The code caches: what V8 compiled during one run of each bundle, against a store a first run
// created (so creating it is not what gets cached). track.cjs's from a `run --quiet -- true`.
// exec-track.cjs's, now that `run` no longer goes through it, from a `report last` of that run: a
// command people run by hand and wait for, which shares commander, opening the store and the errors
// with `sessions` and the others (measured: `report`, `sessions` and `--help` start no slower than with
// the old cache from a `run`; docs/benchmarks.md "Start-up"). V8 rejects a cache by itself under
// another Node or other V8 flags, and bin/exec-track then compiles from source as without it.
const home = mkdtempSync(join(tmpdir(), 'exec-track-build-'));
try {
  const env = { ...process.env, EXEC_TRACK_HOME: home };
  delete env.EXEC_TRACK_SERVER;
  for (const out of [OUT, TRACK_OUT]) rmSync(`${out}.cache`, { force: true });
  /** Runs bin/exec-track with `args`; with `bundle`, writes that bundle's code cache at its exit (the bundle `args` load). */
  const cli = (args, bundle) =>
    execFileSync(process.execPath, [BIN, ...args], {
      cwd: home,
      env: bundle ? { ...env, EXEC_TRACK_WRITE_CODE_CACHE: resolve(`${bundle}.cache`) } : env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  cli(['run', '--quiet', '--', 'true']);
  cli(['run', '--quiet', '--', 'true'], TRACK_OUT);
  cli(['report', 'last'], OUT);
} finally {
  rmSync(home, { recursive: true, force: true });
}
