import { existsSync } from 'node:fs';
import { ApiClient } from '../../client/api.js';
import { embeddedDbPath } from '../../config/paths.js';
import { ExecTrackError } from '../../errors.js';
import { openSettings, resolveServer } from '../../config/settings.js';
import { newId } from '../../protocol/ids.js';
import { checkTextLimit } from '../../protocol/limits.js';
import { toSessionJson, type SessionJson } from '../../protocol/json.js';
import { formatLocalTime } from '../../report/format.js';
import { DEFAULTS } from '../../defaults.js';
import type { CommandIo } from '../io.js';

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
export async function sessionsCommand(opts: SessionsOptions, io: CommandIo): Promise<number> {
  const { env } = io;
  const server = resolveServer(opts.server, env);
  const { sessions, current } = server ? await remoteSessions(server, env) : await embeddedSessions(env);
  if (opts.json) {
    io.stdout.write(`${JSON.stringify({ sessions, current: current ?? null }, null, 2)}\n`);
    return 0;
  }
  if (sessions.length === 0) {
    const where =
      server && !new ApiClient(server, { env }).credentials.get().token
        ? ` on ${server} from this machine: it has no identity there until its first run`
        : ' yet';
    io.stdout.write(`No sessions${where}; \`exec-track run -- <cmd>\` creates one titled "${DEFAULTS.sessionTitle}".\n`);
    return 0;
  }
  const rows = sessions.map((s) => [s.id === current ? '*' : ' ', s.id, formatLocalTime(Date.parse(s.createdAt)), s.title]);
  const width = Math.max(...rows.map((r) => r[1]!.length));
  io.stdout.write(`  ${'ID'.padEnd(width)}  CREATED              TITLE\n`);
  for (const [mark, id, created, title] of rows) io.stdout.write(`${mark} ${id!.padEnd(width)}  ${created}  ${title}\n`);
  return 0;
}

/**
 * `exec-track session new <title>`: creates a session and makes it the current one (embedded store,
 * or the server's, where the current session is kept with that server's credentials). Prints its id.
 * @throws ExecTrackError USAGE for an empty or over-long title (TEXT_LIMITS.sessionTitle).
 */
export async function sessionNewCommand(title: string, opts: { server?: string }, io: CommandIo): Promise<number> {
  const { env } = io;
  checkTextLimit(title, 'sessionTitle', 'A session title');
  const server = resolveServer(opts.server, env);
  let id: string;
  if (server) {
    const api = new ApiClient(server, { env });
    id = (await api.createSession({ id: newId('s'), title })).id;
    await api.credentials.update({ currentSession: id });
  } else {
    const [{ openStore }, { createLocalSession }] = await Promise.all([import('../../store/open.js'), import('../../sink/local-session.js')]);
    const store = await openStore(embeddedDbPath(env));
    try {
      id = (await createLocalSession(store, title, env)).id;
    } finally {
      await store.close();
    }
  }
  io.stdout.write(`Created session ${id} "${title}"; it is now the current session.\n`);
  return 0;
}

/**
 * `exec-track session use <id|title>`: makes an existing session the current one, the session a
 * plain `run` records into and a plain `report` shows (embedded store, or this machine's sessions on
 * the server). A title picks the newest session of that title. Prints its id.
 * @throws ExecTrackError NOT_FOUND when there is no such session (on a server: of this machine's user).
 */
export async function sessionUseCommand(ref: string, opts: { server?: string }, io: CommandIo): Promise<number> {
  const { env } = io;
  const server = resolveServer(opts.server, env);
  const session = server ? await useRemoteSession(server, ref, env) : await useEmbeddedSession(ref, env);
  io.stdout.write(`Session ${session.id} "${session.title}" is now the current session.\n`);
  return 0;
}

async function useRemoteSession(server: string, ref: string, env: NodeJS.ProcessEnv): Promise<{ id: string; title: string }> {
  const api = new ApiClient(server, { env });
  if (!api.credentials.get().token) {
    throw new ExecTrackError(
      'NOT_FOUND',
      `This machine has no sessions on ${server} yet (no identity there until its first run); start one with \`exec-track run -- <cmd>\`.`,
    );
  }
  const session = (await api.listSessions()).find((s) => s.id === ref || s.title === ref);
  if (!session)
    throw ExecTrackError.of('NOT_FOUND', { thing: `session "${ref}" of this machine on ${server}`, hint: 'run `exec-track sessions` to list them' });
  await api.credentials.update((current) => ({ currentSession: session.id, sessionTitles: { ...current.sessionTitles, [session.title]: session.id } }));
  return session;
}

async function useEmbeddedSession(ref: string, env: NodeJS.ProcessEnv): Promise<{ id: string; title: string }> {
  const path = embeddedDbPath(env);
  if (!existsSync(path))
    throw ExecTrackError.of('NOT_FOUND', { thing: `session "${ref}" in the embedded store (it is empty)`, hint: '`exec-track run -- <cmd>` creates one' });
  const [{ openStore }, { useLocalSession }] = await Promise.all([import('../../store/open.js'), import('../../sink/local-session.js')]);
  const store = await openStore(path);
  try {
    return await useLocalSession(store, ref, env);
  } finally {
    await store.close();
  }
}

/** This machine's sessions on the server; with no identity there yet, none (after checking the server answers). */
async function remoteSessions(server: string, env: NodeJS.ProcessEnv): Promise<{ sessions: SessionJson[]; current?: string }> {
  const api = new ApiClient(server, { env });
  const { token, currentSession } = api.credentials.get();
  if (!token) await api.health();
  return { sessions: await api.listSessions(), current: currentSession };
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
