import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Execution, MetricPoint, ReportLine } from '../../src/protocol/types.js';
import { openStore } from '../../src/store/open.js';
import { BIN, cliEnv } from '../helpers/cli.js';

/** What the embedded store holds about the last execution under `home`. */
export interface Stored {
  execution: Execution;
  lines: ReportLine[];
  /** `stream:text` of every line, the compact form most assertions use. */
  texts: string[];
  metrics: MetricPoint[];
}

/** Opens the embedded store of `home` and reads its most recent execution. */
export async function readLast(home: string): Promise<Stored> {
  const store = await openStore(join(home, 'exec-track.db'));
  try {
    const execution = await store.lastExecution(null);
    if (!execution) throw new Error('no execution stored');
    const lines = await store.readReports(execution.id);
    return { execution, lines, texts: lines.map((l) => `${l.stream}:${l.text}`), metrics: await store.metricPoints(execution.id) };
  } finally {
    await store.close();
  }
}

/** Values of metric `key` in step order. */
export function series(stored: Stored, key: string): number[] {
  return stored.metrics.filter((p) => p.key === key).map((p) => p.value);
}

/** `exec-track run <args>` started in the background with piped output, for signal tests. */
export function startRun(args: string[], home: string, env: NodeJS.ProcessEnv = {}): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [BIN, 'run', ...args], { env: cliEnv(home, env), stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (b: Buffer) => (text += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (text += b.toString()));
  return Object.assign(child, { output: () => text });
}

/** Polls `check` every 25 ms until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** True while `pid` is a live process (a zombie left to a non-reaping PID 1 counts as gone). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

/** Resolves with the exit code of a started child. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null && child.stdout?.readableEnded !== false) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('close', (code) => resolve(code)));
}

/**
 * An environment for CLI runs that logs, in order, each program the wrapper starts (child_process's
 * spawn, execFile and all) and each file bin/exec-track compiles (vm.Script), through a preload in
 * `dir`; `order()` reads the log of the last run.
 */
export function startLog(dir: string): { env: NodeJS.ProcessEnv; order: () => string[] } {
  const log = join(dir, 'order.json');
  const preload = join(dir, 'preload.cjs');
  writeFileSync(
    preload,
    `const { ChildProcess } = require('node:child_process'); const vm = require('node:vm'); const order = [];
    const spawn = ChildProcess.prototype.spawn; ChildProcess.prototype.spawn = function (options) { order.push(options.file); return spawn.call(this, options); };
    const Script = vm.Script; vm.Script = class extends Script { constructor(code, options) { order.push(require('node:path').basename(options.filename)); super(code, options); } };
    process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(log)}, JSON.stringify(order)));`,
  );
  return { env: { NODE_OPTIONS: `--require ${preload}` }, order: () => JSON.parse(readFileSync(log, 'utf8')) as string[] };
}
