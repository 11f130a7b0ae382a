import { existsSync } from 'node:fs';
import { ApiClient } from '../../client/api.js';
import { embeddedDbPath } from '../../config/paths.js';
import { openSettings, resolveServer } from '../../config/settings.js';
import { newId } from '../../protocol/ids.js';
import { checkTextLimit } from '../../protocol/limits.js';
import { toSessionJson, type SessionJson } from '../../protocol/json.js';
import { formatLocalTime } from '../../report/format.js';

/** Options of `exec-track sessions`. */
export interface SessionsOptions {
  json?: boolean;
  server?: string;
}

/**
 * `exec-track sessions`: lists the sessions of the embedded store, or with a server (`--server`,
 * EXEC_TRACK_SERVER, `config set server`) this machine's sessions there (GET /api/v1/sessions with
 * its user token), newest first, as a table or `--json` (`{sessions: [session], current}`).
 * @throws ExecTrackError SERVER_UNREACHABLE / RATE_LIMITED from the server.
 */
export async function sessionsCommand(opts: SessionsOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const server = resolveServer(opts.server, env);
  const { sessions, current } = server ? await remoteSessions(server, env) : await embeddedSessions(env);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ sessions, current: current ?? null }, null, 2)}\n`);
    return;
  }
  if (sessions.length === 0) {
    process.stdout.write('No sessions yet; `exec-track run -- <cmd>` creates one titled "default".\n');
    return;
  }
  const rows = sessions.map((s) => [s.id === current ? '*' : ' ', s.id, formatLocalTime(Date.parse(s.createdAt)), s.title]);
  const width = Math.max(...rows.map((r) => r[1]!.length));
  process.stdout.write(`  ${'ID'.padEnd(width)}  CREATED              TITLE\n`);
  for (const [mark, id, created, title] of rows) process.stdout.write(`${mark} ${id!.padEnd(width)}  ${created}  ${title}\n`);
}

/**
 * `exec-track session new <title>`: creates a session and makes it the current one (embedded store,
 * or the server's, where the current session is kept with that server's credentials). Prints its id.
 * @throws ExecTrackError USAGE for an empty or over-long title (TEXT_LIMITS.sessionTitle).
 */
export async function sessionNewCommand(title: string, opts: { server?: string }, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  checkTextLimit(title, 'sessionTitle', 'A session title');
  const server = resolveServer(opts.server, env);
  let id: string;
  if (server) {
    const api = new ApiClient(server, { env });
    id = (await api.createSession({ id: newId('s'), title })).id;
    api.credentials.update({ currentSession: id });
  } else {
    const [{ openStore }, { createLocalSession }] = await Promise.all([import('../../store/open.js'), import('../../client/local-session.js')]);
    const store = await openStore(embeddedDbPath(env));
    try {
      id = (await createLocalSession(store, title, env)).id;
    } finally {
      await store.close();
    }
  }
  process.stdout.write(`Created session ${id} "${title}"; it is now the current session.\n`);
}

async function remoteSessions(server: string, env: NodeJS.ProcessEnv): Promise<{ sessions: SessionJson[]; current?: string }> {
  const api = new ApiClient(server, { env });
  return { sessions: await api.listSessions(), current: api.credentials.get().currentSession };
}

async function embeddedSessions(env: NodeJS.ProcessEnv): Promise<{ sessions: SessionJson[]; current?: string }> {
  const path = embeddedDbPath(env);
  const current = openSettings(env).get('currentSession');
  if (!existsSync(path)) return { sessions: [], current };
  const { openStore } = await import('../../store/open.js');
  const store = await openStore(path);
  try {
    return { sessions: (await store.listSessions(null)).map(toSessionJson), current };
  } finally {
    await store.close();
  }
}
