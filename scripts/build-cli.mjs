// Bundles the CLI (src/cli/main.ts and all it imports) into one CommonJS file,
// dist/bundle/exec-track.cjs, and writes V8's code cache for it; bin/exec-track runs the two. Also
// dist/bundle/prelude.cjs, which bin/exec-track loads first for `run` and `record` (below).
// Run by `npm run build` (after tsc). Why, and the measurements: docs/benchmarks.md "Start-up".
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
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const OUT = 'dist/bundle/exec-track.cjs';
const PRELUDE_OUT = 'dist/bundle/prelude.cjs';
const BIN = resolve(import.meta.dirname, '../bin/exec-track');
/**
 * Not bundled: native code (node-pty; better-sqlite3's JavaScript is bundled, its addon is loaded by
 * path, src/store/sqlite/connection.ts) and packages a plain `run` never loads.
 */
const EXTERNAL = ['*.node', '@lydell/node-pty', 'pg', 'fastify', '@fastify/*', 'ws', 'zod-to-json-schema', 'asciichart'];

await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: OUT,
  external: EXTERNAL,
  // `await import('@lydell/node-pty')` (src/runner/pty.ts) as a require: a plain CommonJS load, as for the others
  supported: { 'dynamic-import': false },
  // `import.meta.url` in CommonJS: this file's URL. src/web/assets.ts resolves ../../dist/web/assets/
  // from it, which is why the bundle sits two folders deep, as the tsc output does.
  define: { 'import.meta.url': '__exec_track_url' },
  banner: { js: "const __exec_track_url = require('node:url').pathToFileURL(__filename).href;" },
  // less to read and parse; names stay, so a stack trace still names the functions (the map has the rest)
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  logLevel: 'warning',
});

// bin/exec-track's first step for `run` and `record`: src/runner/prelude.ts alone (~3 kB), whose
// startPrelude starts the one child that makes the FIFOs and runs `git status` before the bundle loads,
// so that it runs meanwhile (B4). The bundle has its own copy of the module and takes the prelude over
// through a global (takePrelude).
await build({
  entryPoints: ['src/runner/prelude.ts'],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: PRELUDE_OUT,
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});

// bin/exec-track reads the bundle and prelude.cjs as latin1 (a one-byte string, no UTF-8 decoding).
// esbuild writes non-ASCII as escapes except where it cannot (String.raw and other tagged templates):
// use `\u00b1` or an HTML entity there.
for (const out of [OUT, PRELUDE_OUT]) {
  const nonAscii = /[^\x00-\x7f]/.exec(readFileSync(out, 'latin1'));
  if (nonAscii) {
    const before = readFileSync(out, 'latin1').slice(Math.max(0, nonAscii.index - 60), nonAscii.index);
    throw new Error(`${out} must be ASCII; a non-ASCII character follows ${JSON.stringify(before)} (write it as an escape or entity in src/)`);
  }
}

// The code cache: what V8 compiled during one `run --quiet -- true` (against a store created by a
// first run, so store creation is not what gets cached). V8 rejects it by itself under another Node
// or other V8 flags, and bin/exec-track then compiles from source as without it.
const home = mkdtempSync(join(tmpdir(), 'exec-track-build-'));
try {
  const env = { ...process.env, EXEC_TRACK_HOME: home };
  delete env.EXEC_TRACK_SERVER;
  rmSync(`${OUT}.cache`, { force: true });
  const run = (extra) => execFileSync(process.execPath, [BIN, 'run', '--quiet', '--', 'true'], { cwd: home, env: { ...env, ...extra }, stdio: 'inherit' });
  run({});
  run({ EXEC_TRACK_WRITE_CODE_CACHE: resolve(`${OUT}.cache`) });
} finally {
  rmSync(home, { recursive: true, force: true });
}
