import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The built CLI (bench runs after `npm run build`). */
export const BIN = resolve(import.meta.dirname, '../../bin/exec-track');

/** Environment for exec-track: the parent's, minus exec-track settings, with `home` as EXEC_TRACK_HOME. */
export function cliEnv(home, extra = {}) {
  const env = { ...process.env, EXEC_TRACK_HOME: home, NO_COLOR: '1', ...extra };
  delete env.EXEC_TRACK_SERVER;
  return env;
}

/** Peak resident set (VmHWM) of a live process in MB, or null once it is gone. */
export function peakRssMb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Runs `cmd args` to completion and times it from spawn to exit (ms, wall clock).
 * stdout goes to /dev/null unless `capture` is set; stderr is always captured for error messages.
 * With `pollRss`, the child's VmHWM is read every 20 ms (it only grows, so the last read is the peak
 * within one poll interval).
 * @returns {Promise<{ms: number, code: number|null, stdout: string, stderr: string, peakMb: number|null}>}
 * @throws when the process exits non-zero (unless `allowFail`) or outlives `timeoutMs`.
 */
export function timed(cmd, args, { env = process.env, capture = false, pollRss = false, timeoutMs = 240_000, allowFail = false } = {}) {
  const started = performance.now();
  const child = spawn(cmd, args, { env, stdio: ['ignore', capture ? 'pipe' : 'ignore', 'pipe'] });
  const out = [];
  const err = [];
  child.stdout?.on('data', (b) => out.push(b));
  child.stderr.on('data', (b) => err.push(b));
  let peakMb = null;
  const poll = () => {
    const mb = peakRssMb(child.pid);
    if (mb !== null) peakMb = Math.max(peakMb ?? 0, mb);
  };
  const poller = pollRss ? setInterval(poll, 20) : undefined;
  return new Promise((done, fail) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      const ms = performance.now() - started;
      clearTimeout(timer);
      clearInterval(poller);
      const stderr = Buffer.concat(err).toString();
      if ((code !== 0 || signal) && !allowFail) {
        fail(new Error(`${cmd} ${args.join(' ')} exited ${code ?? signal} after ${Math.round(ms)} ms: ${stderr.slice(-500)}`));
        return;
      }
      done({ ms, code, stdout: Buffer.concat(out).toString(), stderr, peakMb });
    });
  });
}

/** A running `exec-track serve` on a free port with its database at `db`. */
export async function startServer(home, db) {
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db], { env: cliEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const url = await new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start: ${text}`)), 30_000);
    proc.on('exit', (code) => fail(new Error(`server exited with ${code}: ${text}`)));
    const onData = (b) => {
      text += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        done(m[1]);
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (b) => (text += b.toString()));
  });
  return {
    url,
    pid: proc.pid,
    stop: () =>
      new Promise((done) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return done();
        proc.once('exit', () => done());
        proc.kill('SIGTERM');
      }),
  };
}

/**
 * Writes back the dirty pages earlier runs left (`sync`), so that a timed run does not pay the
 * disk writes of the ones before it: the temp dir is on disk, and each B3 run leaves ~100 MB of
 * spool and database behind (without this, B3's five runs took 1.8, 2.1, 2.3, 2.3, 2.3 s).
 */
export async function settle() {
  await timed('sync', []);
}
