import { parseDuration } from '../../config/duration.js';
import { parseLineQuota } from '../../config/line-quota.js';
import { homeDir } from '../../config/paths.js';
import { ExecTrackError } from '../../errors.js';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerOptions } from '../../server/options.js';
import type { CommandIo } from '../io.js';
import { isPostgresUrl } from '../../store/postgres/url.js';

/** Options of `exec-track serve` as commander hands them over (strings). */
export interface ServeFlags {
  host: string;
  port: string;
  db?: string;
  heartbeatTimeout: string;
  rateLimit: string;
  retention: string;
  maxBody?: string;
  maxFrame?: string;
  maxLine?: string;
  lineQuota?: string;
  maxSessionsPerUser?: string;
  maxExecutionsPerSession?: string;
  trustProxy?: boolean;
  /** `--public-url`: the base of page links in notifications. */
  publicUrl?: string;
}

/**
 * `exec-track serve`: starts the server, prints `exec-track: listening on http://<host>:<port>`,
 * and on SIGINT/SIGTERM shuts down gracefully (stop accepting, close sockets, flush, close the DB),
 * prints `exec-track: stopped` and resolves with exit code 0 (1 when the shutdown failed; 128+N
 * at once for a second signal during it: "now"). Throws ExecTrackError USAGE for a bad option.
 */
export async function serveCommand(flags: ServeFlags, io: CommandIo): Promise<number> {
  const options = parseServeFlags(flags);
  const { startServer } = await import('../../server/serve.js');
  const { notifyOptions } = await import('../../notify/options.js');
  const server = await startServer(databaseTarget(flags.db, io.env), options, undefined, {
    options: notifyOptions(io.env),
    publicUrl: publicUrl(flags.publicUrl),
  });
  io.stdout.write(`exec-track: listening on ${server.url}\n`);
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      // a second signal while flushing means "now"
      if (stopping) return resolve(128 + (signal === 'SIGINT' ? 2 : 15));
      stopping = true;
      server.close().then(
        () => {
          io.stdout.write('exec-track: stopped\n');
          resolve(0);
        },
        (error: unknown) => {
          io.stderr.write(`exec-track: shutdown failed: ${error instanceof Error ? error.message : 'unknown'}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Turns the flags into server options; each bad value is a USAGE error naming its option. */
export function parseServeFlags(flags: ServeFlags): Partial<ServerOptions> & Pick<ServerOptions, 'host' | 'port'> {
  return {
    host: flags.host,
    port: count(flags.port, '--port', 65_535),
    heartbeatTimeoutMs: parseDuration(flags.heartbeatTimeout, '--heartbeat-timeout'),
    rateLimit: count(flags.rateLimit, '--rate-limit'),
    retentionMs: parseDuration(flags.retention, '--retention'),
    maxBodyBytes: optionalPositive(flags.maxBody, '--max-body'),
    maxFrameBytes: optionalPositive(flags.maxFrame, '--max-frame'),
    maxLineLength: optionalPositive(flags.maxLine, '--max-line'),
    lineQuota: flags.lineQuota === undefined ? undefined : parseLineQuota(flags.lineQuota, '--line-quota'),
    maxSessionsPerUser: optionalPositive(flags.maxSessionsPerUser, '--max-sessions-per-user'),
    maxExecutionsPerSession: optionalPositive(flags.maxExecutionsPerSession, '--max-executions-per-session'),
    trustProxy: flags.trustProxy ?? false,
  };
}

/** `--public-url`: an http(s) URL (the base of page links in notifications). @throws ExecTrackError USAGE. */
function publicUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^https?:\/\/[^/\s]+/i.test(value) || !URL.canParse(value))
    throw new ExecTrackError('USAGE', `--public-url expects the http(s) URL people open the server at, got "${value}".`);
  return value.replace(/\/+$/, '');
}

/**
 * The database `serve` opens: `--db`, else `EXEC_TRACK_DATABASE_URL`, else server.db under
 * EXEC_TRACK_HOME. A `postgres://` or `postgresql://` URL selects PostgreSQL (several instances may
 * share it, docs/deploy.md); anything else is the path of a SQLite file.
 * @throws ExecTrackError USAGE for a URL of another scheme or a directory.
 */
export function databaseTarget(db: string | undefined, env: NodeJS.ProcessEnv): string {
  const given = db ?? (env.EXEC_TRACK_DATABASE_URL || undefined);
  const option = db === undefined ? 'EXEC_TRACK_DATABASE_URL' : '--db';
  if (given === undefined) return join(homeDir(env), 'server.db');
  if (isPostgresUrl(given)) return given;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(given)?.[1];
  if (scheme) {
    // the URL may hold a password: name only its scheme
    throw new ExecTrackError('USAGE', `${option} takes a postgres:// URL or the path of a SQLite file; ${scheme}:// URLs are not supported.`);
  }
  if (statSync(given, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ExecTrackError('USAGE', `${option} ${given} is a directory; give the path of a SQLite file, such as ${join(given, 'server.db')}.`);
  }
  return given;
}

function count(value: string, option: string, max = Number.MAX_SAFE_INTEGER, min = 0): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) > max || Number(value) < min) {
    throw new ExecTrackError('USAGE', `${option} expects a whole number from ${min} to ${max}, got "${value}".`);
  }
  return Number(value);
}

// a size or count limit of 0 would refuse every request (fastify even throws on it): limits start at 1
function optionalPositive(value: string | undefined, option: string): number | undefined {
  return value === undefined ? undefined : count(value, option, Number.MAX_SAFE_INTEGER, 1);
}
