#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only B2,B3m] [-- --results <dir>]`: issue 6's benchmarks end to end; table on stdout, JSON in bench/results/latest.json.
// --only runs the groups holding those ids (B5 and B6 bring B2's group: its baseline, its execution) and writes latest-only.json.
// A missing sqlite3 or tsp is named with its install command and the rows needing it are skipped (bench/lib/tools.mjs).
import { cpus } from 'node:os';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SIZES, freshDir, progress } from './lib/context.mjs';
import { writeBlockScript, writeLines, writeLoopScript } from './lib/inputs.mjs';
import { formatTable } from './lib/stats.mjs';
import { b1, b4 } from './cases/overhead.mjs';
import { pythonBlock } from './cases/python-client.mjs';
import { catHome, throughput } from './cases/throughput.mjs';
import { serverLoad } from './cases/server-load.mjs';
import { b6 } from './cases/report.mjs';
import { b7 } from './cases/memory.mjs';
import { findTools, missingToolMessages } from './lib/tools.mjs';
import { web } from './cases/web.mjs';
import { postgresRows } from './cases/postgres.mjs';

const USAGE = 'usage: node bench/run.mjs [--quick] [--only B2,B3m,…] [--results <dir>] [--keep]  (rows and targets: docs/benchmarks.md)';
let values;
try {
  ({ values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      only: { type: 'string' },
      results: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  console.error(`bench: ${error.message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const only = values.only
  ? new Set(
      values.only
        .toUpperCase()
        .split(',')
        .map((id) => id.trim()),
    )
  : null;
const wants = (...ids) => !only || ids.some((id) => only.has(id.toUpperCase()));
const mode = values.quick ? 'quick' : 'full';
const size = SIZES[mode];
const root = freshDir(tmpdir(), 'exec-track-bench');
const began = performance.now();

const tools = findTools();
for (const message of missingToolMessages(tools)) progress(message);

try {
  progress(`${mode} run in ${root}; generating inputs`);
  const inputs = {
    plain: await writeLines(root, 'plain.log', 'plain', size.lines),
    metrics: await writeLines(root, 'metrics.log', 'metrics', size.lines),
    each: await writeLines(root, 'each.log', 'plain', size.linesEach),
    loop: writeLoopScript(root),
    block: writeBlockScript(root),
  };
  const ctx = { root, size, inputs, tools, importSamples: [] };
  const rows = [];
  if (wants('B1', 'B1p', 'B1b')) rows.push(...(await b1(ctx)));
  if (wants('P1', 'P1x', 'P1c', 'P1u', 'P1uc', 'P1w')) rows.push(...(await pythonBlock(ctx)));
  let b2Home;
  if (wants('B2', 'tsp', 'B3', 'B3m', 'B5', 'B5f', 'B5pg', 'B8', 'B6')) {
    const tp = await throughput(ctx);
    rows.push(...tp.rows);
    b2Home = tp.b2Home;
  }
  if (wants('B3pg', 'S1', 'S2', 'B5pg')) rows.push(...(await postgresRows(ctx)));
  if (wants('B4')) rows.push(await b4(ctx));
  if (wants('B5', 'B5f', 'B8')) rows.push(...(await serverLoad(ctx)));
  if (wants('B6')) rows.push(await b6(ctx, b2Home ?? (await catHome(ctx))));
  if (wants('B7')) rows.push(await b7(ctx));
  if (wants('W1', 'W2', 'W3')) rows.push(...(await web(ctx)));
  rows.sort((a, b) => order(a.id) - order(b.id));

  const seconds = (performance.now() - began) / 1000;
  const machine = { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, load: (await import('node:os')).loadavg() };
  console.log(formatTable(rows));
  console.log(
    `\n${mode} run, ${seconds.toFixed(0)} s; ${machine.nproc} × ${machine.cpu}; node ${machine.node}; load ${machine.load.map((l) => l.toFixed(1)).join(' ')}`,
  );
  const outDir = values.results ?? join(import.meta.dirname, 'results');
  mkdirSync(outDir, { recursive: true });
  const result = { mode, date: new Date().toISOString(), seconds, machine, size, rows };
  const name = only ? 'latest-only.json' : mode === 'full' ? 'latest.json' : 'latest-quick.json';
  writeFileSync(join(outDir, name), JSON.stringify(result, (k, v) => (v === Infinity ? null : v), 2) + '\n');
  process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
} finally {
  if (!values.keep) rmSync(root, { recursive: true, force: true });
}

function order(id) {
  return [
    'B1',
    'B1p',
    'B1b',
    'P1',
    'P1x',
    'P1c',
    'P1u',
    'P1uc',
    'P1w',
    'B2',
    'tsp',
    'B3',
    'B3pg',
    'B3m',
    'S1',
    'S2',
    'B4',
    'B5',
    'B5pg',
    'B5f',
    'B6',
    'B7',
    'B8',
    'W1',
    'W2',
    'W3',
  ].indexOf(id);
}
