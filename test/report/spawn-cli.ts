import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, cliEnv, collect, type CliResult } from '../helpers/cli.js';

/** A CLI process the test talks to while it runs: its output so far, waits on text, and its end. */
export interface LiveCli {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  /** Resolves once stdout (or stderr) matches; rejects if the process ends first. */
  waitFor: (pattern: RegExp, stream?: 'stdout' | 'stderr') => Promise<RegExpExecArray>;
  done: Promise<CliResult>;
}

/** Spawns the real binary and keeps it running (no stdin). */
export function spawnCli(args: string[], options: { home: string; env?: NodeJS.ProcessEnv }): LiveCli {
  const proc = spawn(process.execPath, [BIN, ...args], { env: cliEnv(options.home, options.env), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const done = collect(proc, undefined, 60_000);
  let ended = false;
  void done.then(() => (ended = true));
  const waitFor = (pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout') =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const source = stream === 'stdout' ? proc.stdout! : proc.stderr!;
      const check = () => {
        const m = pattern.exec(stream === 'stdout' ? out : err);
        if (m) {
          source.off('data', check);
          resolve(m);
        } else if (ended) reject(new Error(`process ended before ${pattern}; stdout: ${out}; stderr: ${err}`));
      };
      source.on('data', check);
      void done.then(check);
      check();
    });
  return { proc, out: () => out, err: () => err, waitFor, done };
}
