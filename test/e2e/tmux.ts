import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cliEnv } from '../helpers/cli.js';
import { waitFor } from './run-helpers.js';

/** True where tmux is installed (the terminal tests run only there). */
export const HAS_TMUX = existsSync('/usr/bin/tmux');

/** A tmux server of its own running `exec-track run` in a 150×40 window (session `run`). */
export interface TmuxRun {
  /** Runs `tmux <args>` against this server, returns its stdout. */
  tmux(...args: string[]): string;
  /** The visible text of the pane. */
  pane(): string;
  /** Resolves with the wrapper's exit code once it exited. */
  exitCode(): Promise<string>;
  /** `stty -a` of the pane's terminal, taken after the wrapper exited. */
  sttyAfter(): Promise<string>;
  /** Ends the tmux server. */
  kill(): void;
}

/**
 * One tmux server per call: a new session on the socket of a server still shutting down from the
 * previous test's kill-server fails with "server exited unexpectedly" (seen in CI).
 */
let servers = 0;

/** Starts `exec-track run -q <options> -- <args>` in a detached tmux session, with `home` as EXEC_TRACK_HOME. */
export function startInTmux(home: string, args: string[], options: string[] = []): TmuxRun {
  const socket = `exec-track-test-${process.pid}-${++servers}`;
  const tmux = (...a: string[]): string => execFileSync('tmux', ['-L', socket, ...a], { encoding: 'utf8' });
  const status = join(home, 'status');
  const stty = join(home, 'stty');
  const env = cliEnv(home);
  const quoted = [process.execPath, BIN, 'run', '-q', ...options, '--', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const command = `EXEC_TRACK_HOME='${env.EXEC_TRACK_HOME}' NO_COLOR=1 ${quoted}; code=$?; stty -a > '${stty}'; echo $code > '${status}.tmp'; mv '${status}.tmp' '${status}'; sleep 60`;
  tmux('new-session', '-d', '-s', 'run', '-x', '150', '-y', '40', command);
  // the status file appears whole (written aside, then renamed): a read never meets it empty
  const written = (file: string): string | false => existsSync(status) && readFileSync(file, 'utf8').trim();
  return {
    tmux,
    pane: () => tmux('capture-pane', '-p', '-t', 'run'),
    exitCode: () => waitFor(() => written(status), 'the wrapper to exit'),
    sttyAfter: () => waitFor(() => written(stty), 'the wrapper to exit'),
    kill: () => {
      try {
        tmux('kill-server');
      } catch {
        // the server already ended with its last session
      }
    },
  };
}
