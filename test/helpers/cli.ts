import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach } from 'vitest';

/** Absolute path of the built CLI (tests run after `npm run build`). */
export const BIN = resolve(import.meta.dirname, '../../bin/exec-track');
export const FIXTURES = resolve(import.meta.dirname, '../fixtures');

/** A fresh EXEC_TRACK_HOME; call `cleanup` in teardown. */
export function tempHome(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'exec-track-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** For a test file: a function that makes a fresh temp folder, each removed after its test. */
export function tempDirs(): () => string {
  const made: { cleanup: () => void }[] = [];
  afterEach(() => {
    for (const t of made.splice(0)) t.cleanup();
  });
  return () => {
    const t = tempHome();
    made.push(t);
    return t.dir;
  };
}

/** Environment for a CLI run: the parent's env minus exec-track settings, plus `extra`. */
export function cliEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, EXEC_TRACK_HOME: home, NO_COLOR: '1', ...extra };
  if (!('EXEC_TRACK_SERVER' in extra)) delete env.EXEC_TRACK_SERVER;
  return env;
}

export interface CliResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  /** stdout/stderr as UTF-8 text. */
  out: string;
  err: string;
}

/** Runs the real binary to completion, capturing raw bytes. */
export function runCli(
  args: string[],
  options: { home: string; env?: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number; cwd?: string },
): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cliEnv(options.home, options.env),
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return collect(child, options.input, options.timeoutMs ?? 60_000);
}

/** Collects a spawned child's output and exit. */
export function collect(child: ChildProcess, input?: string | Buffer, timeoutMs = 60_000): Promise<CliResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', (b: Buffer) => err.push(b));
  child.stdin?.end(input);
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not exit within ${timeoutMs} ms; stderr: ${Buffer.concat(err).toString()}`));
    }, timeoutMs);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out);
      const stderr = Buffer.concat(err);
      resolvePromise({ exitCode, signal, stdout, stderr, out: stdout.toString(), err: stderr.toString() });
    });
  });
}

/** A real `exec-track serve` process on a free port. */
export interface ServerProcess {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Everything the server printed (stdout + stderr), for log-privacy checks. */
  output: () => string;
  /** SIGTERM and wait for exit. */
  stop: () => Promise<void>;
}

/** Starts `exec-track serve --port <port>` (0 = free port) and waits for its listening line. */
export function startServer(options: { home: string; args?: string[]; port?: number; env?: NodeJS.ProcessEnv }): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', String(options.port ?? 0), ...(options.args ?? [])], {
    env: cliEnv(options.home, options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  proc.stdout!.on('data', (b: Buffer) => (text += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (text += b.toString()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${text}`)), 20_000);
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}: ${text}`)));
    const onData = () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(text);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      const url = m[1]!;
      resolvePromise({
        url,
        port: Number(new URL(url).port),
        proc,
        output: () => text,
        stop: () =>
          new Promise<void>((done) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return done();
            proc.once('exit', () => done());
            proc.kill('SIGTERM');
          }),
      });
    };
    proc.stdout!.on('data', onData);
  });
}
