import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, CLAIM_RENEW_BEFORE_MS } from '../../src/client/api.js';
import { openSettings } from '../../src/config/settings.js';
import { newId } from '../../src/protocol/ids.js';
import { tempHome } from '../helpers/cli.js';
import { scriptedServer, type ScriptedAnswer, type SeenRequest } from './scripted-server.js';

const HOUR = 60 * 60 * 1000;
const T0 = Date.parse('2026-11-30T00:00:00Z');
// answers in the shapes of src/protocol/responses.ts, which the client parses
const SESSION = newId('s');
const USER_1 = newId('u');
const USER_2 = newId('u');

describe('ApiClient', () => {
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;
  let closeServer: (() => Promise<void>) | undefined;
  beforeEach(() => {
    home = tempHome();
    env = { EXEC_TRACK_HOME: home.dir };
  });
  afterEach(async () => {
    await closeServer?.();
    home.cleanup();
  });

  /** A server that mints users and claim keys (key n expires `ttl` after the clock) and runs `write` for the rest. */
  async function server(
    now: () => number,
    write: (req: SeenRequest) => ScriptedAnswer = () => ({
      status: 201,
      body: { session: { id: SESSION, title: 't', createdAt: new Date(T0).toISOString() } },
    }),
  ) {
    let keys = 0;
    const s = await scriptedServer((req) => {
      if (req.path === '/api/v1/users') return { status: 201, body: { user: { id: USER_1 }, token: 'ut_secret' } };
      if (req.path === '/api/v1/claims') return { status: 201, body: { claimKey: `ck_${++keys}`, expiresAt: new Date(now() + 24 * HOUR).toISOString() } };
      return write(req);
    });
    closeServer = s.close;
    return s;
  }

  it('mints a user on first contact and keeps its token in a 0600 config file', async () => {
    const s = await server(() => T0);
    const api = new ApiClient(s.url, { env, now: () => T0 });
    await api.createSession({ title: 't' });
    await api.createSession({ title: 't' });
    expect(s.seen.filter((r) => r.path === '/api/v1/users')).toHaveLength(1);
    expect(api.credentials.get()).toMatchObject({ userId: USER_1, token: 'ut_secret', claimKey: 'ck_1' });
    expect(statSync(join(home.dir, 'config.json')).mode & 0o777).toBe(0o600);
    expect(openSettings(env).get('servers')[s.url]?.sessionTitles).toEqual({ t: SESSION });
  });

  it.each([
    ['reuses the cached key while more than an hour is left', 24 * HOUR - CLAIM_RENEW_BEFORE_MS - 1, 1],
    ['renews the key when less than an hour is left', 24 * HOUR - CLAIM_RENEW_BEFORE_MS + 1, 2],
    ['renews the key after it expired (a three-day run)', 72 * HOUR, 2],
  ])('%s', async (_name, elapsed, claims) => {
    let clock = T0;
    const s = await server(() => clock);
    const api = new ApiClient(s.url, { env, now: () => clock });
    await api.createSession({ title: 't' });
    clock += elapsed;
    await api.createSession({ title: 't' });
    expect(s.seen.filter((r) => r.path === '/api/v1/claims')).toHaveLength(claims);
    const writes = s.seen.filter((r) => r.path === '/api/v1/sessions');
    expect(writes.at(-1)!.headers.authorization).toBe(`Bearer ck_${claims}`);
  });

  it('renews the claim key once when a write answers 401 and retries with the new key', async () => {
    const s = await server(
      () => T0,
      (req) =>
        req.headers.authorization === 'Bearer ck_1'
          ? { status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'Claim key expired.' } } }
          : { status: 200, body: { lastSeq: 4 } },
    );
    const api = new ApiClient(s.url, { env, now: () => T0 });
    await expect(api.appendReports('e_x', [])).resolves.toBe(4);
    expect(s.seen.filter((r) => r.path === '/api/v1/claims')).toHaveLength(2);
  });

  it('gives up after one renewal when the server keeps answering 401', async () => {
    const s = await server(
      () => T0,
      () => ({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'Claim key refused.' } } }),
    );
    const api = new ApiClient(s.url, { env, now: () => T0 });
    await expect(api.appendReports('e_x', [])).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(s.seen.filter((r) => r.path.endsWith('/reports'))).toHaveLength(2);
  });

  it('mints a new user when the server no longer knows the stored token', async () => {
    const s = await scriptedServer((req, i) => {
      if (req.path === '/api/v1/users') return { status: 201, body: { user: { id: USER_2 }, token: 'ut_new' } };
      if (req.path === '/api/v1/claims')
        return req.headers.authorization === 'Bearer ut_old'
          ? { status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'Unknown token.' } } }
          : { status: 201, body: { claimKey: `ck_${i}`, expiresAt: new Date(T0 + 24 * HOUR).toISOString() } };
      return { status: 200, body: { lastSeq: -1 } };
    });
    closeServer = s.close;
    const api = new ApiClient(s.url, { env, now: () => T0 });
    await api.credentials.update({ userId: USER_1, token: 'ut_old' });
    await api.appendReports('e_x', []);
    expect(api.credentials.get()).toMatchObject({ userId: USER_2, token: 'ut_new' });
  });

  it.each([
    [
      { status: 429, headers: { 'retry-after': '17' }, body: { error: { code: 'RATE_LIMITED', message: 'Too many requests.' } } },
      'RATE_LIMITED',
      /Too many requests from this machine; retry after 17 s/,
    ],
    [{ status: 500, body: { error: { code: 'INTERNAL', message: 'The server failed.' } } }, 'INTERNAL', /The server failed/],
    [{ status: 502, body: 'not json' }, 'SERVER_ERROR', /HTTP 502/],
    [
      { status: 200, body: { session: { id: 's_x', title: 't' }, executions: [] } },
      'SERVER_ERROR',
      /answered GET \/api\/v1\/sessions\/:id with a body exec-track does not know/,
    ],
  ])('maps HTTP %j to %s', async (answer, code, message) => {
    const s = await scriptedServer(() => answer as ScriptedAnswer);
    closeServer = s.close;
    const error = await new ApiClient(s.url, { env }).getSession('s_x').catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(message);
  });

  it('lists no sessions without contacting a server it never met', async () => {
    await expect(new ApiClient('http://127.0.0.1:9', { env }).listSessions()).resolves.toEqual([]);
  });
});
