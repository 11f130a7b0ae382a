import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { webhookPayloadSchema } from '../../src/protocol/notify.js';
import { runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { executionIdOf, startCli } from '../client/server-reads.js';

/** Small intervals so every test here takes seconds (docs/notifications.md "Tuning"). */
const FAST = {
  EXEC_TRACK_NOTIFY_SCAN: '100ms',
  EXEC_TRACK_NOTIFY_RETRY: '100ms',
  EXEC_TRACK_NOTIFY_RETRY_MAX: '400ms',
  EXEC_TRACK_NOTIFY_SESSION_GRACE: '300ms',
};

const key = (r: { headers: Record<string, unknown> }) => String(r.headers['idempotency-key']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('notifications (issue 15)', () => {
  let home: ReturnType<typeof tempHome>;
  const servers: ServerProcess[] = [];
  const receivers: Receiver[] = [];
  const pids: number[] = [];
  beforeEach(() => (home = tempHome()));
  afterEach(async () => {
    for (const pid of pids.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const s of servers.splice(0)) await s.stop();
    for (const r of receivers.splice(0)) await r.close();
    home.cleanup();
  });

  async function server(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
    const s = await startServer({
      home: home.dir,
      args: ['--db', join(home.dir, 'server.db'), '--heartbeat-timeout', '1s', ...args],
      env: { ...FAST, ...env },
    });
    servers.push(s);
    return s;
  }

  async function receiver(...answers: Parameters<typeof startReceiver>): Promise<Receiver> {
    const r = await startReceiver(...answers);
    receivers.push(r);
    return r;
  }

  it('server: a session rule reports finished, failed, stalled and recovered, lost (kill -9 of the wrapper) and one session-done, in Slack format; a run rule in the generic payload', async () => {
    const slack = await receiver();
    const generic = await receiver();
    const s = await server();
    const created = await runCli(['session', 'new', 'sweep', '--server', s.url], { home: home.dir });
    const sessionId = /Created session (s_\S+)/.exec(created.out)![1]!;
    const hook = `slack+${slack.url}/services/T0/B0/secretABCD`;
    const added = await runCli(
      ['notify', 'add', sessionId, hook, '--on', 'finished,failed,lost,stalled,session-done', '--stall-after', '1s', '--server', s.url],
      { home: home.dir },
    );
    expect(added.exitCode).toBe(0);
    expect(added.out).toMatch(new RegExp(`Added notification n_\\S+: finished,failed,lost,stalled,session-done → ${slack.url}/…ABCD \\(slack\\)`));

    // a run that stays up (its wrapper is killed at the end), so the session is not done before
    const doomed = startCli(['run', '--server', s.url, '--', 'sh', '-c', 'echo "child $$" >&2; exec sleep 60'], { home: home.dir });
    let doomedErr = '';
    doomed.proc.stderr!.on('data', (b: Buffer) => (doomedErr += b.toString()));
    await vi.waitFor(() => expect(doomedErr).toMatch(/child (\d+)/), { timeout: 30_000, interval: 50 });
    pids.push(Number(/child (\d+)/.exec(doomedErr)![1]));
    const doomedId = executionIdOf(doomedErr);

    // three runs side by side: `slow` is silent for 2.2 s (stalled, then recovered), the other two end meanwhile
    const [ok, bad, slow] = await Promise.all([
      runCli(['run', '--server', s.url, '--', 'sh', '-c', 'echo fine'], { home: home.dir }),
      runCli(
        [
          'run',
          '--server',
          s.url,
          '--notify',
          `${generic.url}/ci/tokenWXYZ`,
          '--notify-on',
          'failed',
          '--',
          'sh',
          '-c',
          'echo step=1 loss=0.5; echo boom >&2; exit 4',
        ],
        { home: home.dir },
      ),
      runCli(['run', '--server', s.url, '--', 'sh', '-c', 'echo a; sleep 2.2; echo b'], { home: home.dir }),
    ]);
    expect(bad.exitCode).toBe(4);
    doomed.proc.kill('SIGKILL');
    await doomed.result;

    const events = () => slack.received.map((r) => JSON.parse(r.body).text as string);
    await vi.waitFor(() => expect(events().some((t) => t.includes('session done'))).toBe(true), { timeout: 15_000, interval: 100 });
    const [okId, badId, slowId] = [ok, bad, slow].map((r) => executionIdOf(r.err));
    const about = (id: string) =>
      events()
        .filter((t) => t.includes(`/e/${id}`))
        .map((t) => /^\*\S+ (\w+):/.exec(t)?.[1]);
    expect(about(okId)).toEqual(['finished']);
    expect(about(badId)).toEqual(['failed']);
    // on a loaded machine the wrapper may take a further second to finish after "b": a second stall is then real
    expect(about(slowId).slice(0, 2)).toEqual(['stalled', 'recovered']);
    expect(about(slowId).at(-1)).toBe('finished');
    expect(about(doomedId)).toEqual(['stalled', 'lost']);
    const done = events().filter((t) => t.includes('session done'));
    expect(done).toHaveLength(1);
    expect(done[0]).toContain('(2 Passive, 1 Execution crushed, 1 Exec crushed)');
    expect(done[0]).toContain(`<${s.url}/s/${sessionId}|open the session>`);
    const failed = events().find((t) => t.includes(`/e/${badId}`))!;
    expect(failed).toContain('(exit 4 after');
    expect(failed).toMatch(/```\nstep=1 loss=0.5\n! boom\n```$/);
    expect(events().find((t) => t.includes(`/e/${doomedId}`) && t.includes('lost'))).toContain('Exec crushed: lost contact');
    expect(new Set(slack.received.map(key)).size).toBe(slack.received.length);

    expect(generic.received).toHaveLength(1);
    const payload = webhookPayloadSchema.parse(JSON.parse(generic.received[0]!.body));
    expect(payload).toMatchObject({
      version: 1,
      event: 'failed',
      url: `${s.url}/e/${badId}`,
      execution: { id: badId, exitCode: 4, state: 'Execution crushed' },
    });
    expect(payload.lines).toEqual([
      { stream: 'stdout', text: 'step=1 loss=0.5' },
      { stream: 'stderr', text: 'boom' },
    ]);
    expect(payload.metrics?.loss).toMatchObject({ last: 0.5, count: 1 });
    expect(generic.received[0]!.headers['idempotency-key']).toBe(payload.id);

    const list = await runCli(['notify', 'list', sessionId, '--json', '--server', s.url], { home: home.dir });
    const { rules } = JSON.parse(list.out) as { rules: Array<{ url: string; executionId: string | null; deliveries: Record<string, number> }> };
    expect(rules.map((r) => [r.url, r.executionId])).toEqual([
      [`${slack.url}/…ABCD`, null],
      [`${generic.url}/…WXYZ`, badId],
    ]);
    expect(rules[0]!.deliveries).toEqual({ sent: 8 });
    // the URLs' secrets appear in no listing and no server log
    expect(list.out + s.output()).not.toMatch(/secretABCD|tokenWXYZ/);
  });

  it('retries: 500 then 200 delivered once with one key, 429 waits its Retry-After, 404 is never retried; two servers on one store send each once', async () => {
    const flaky = await receiver({ status: 500 }, { status: 200 });
    const limited = await receiver({ status: 429, headers: { 'retry-after': '1' } }, { status: 200 });
    const gone = await receiver({ status: 404, body: 'no_service' });
    const s = await server();
    await server();
    const run = await runCli(
      [
        'run',
        '--server',
        s.url,
        '--notify',
        `${flaky.url}/a`,
        '--notify',
        `${limited.url}/b`,
        '--notify',
        `${gone.url}/c`,
        '--notify-on',
        'finished',
        '--',
        'true',
      ],
      { home: home.dir },
    );
    expect(run.exitCode).toBe(0);
    await vi.waitFor(
      () => {
        expect(flaky.received.map((r) => r.status)).toEqual([500, 200]);
        expect(limited.received.map((r) => r.status)).toEqual([429, 200]);
      },
      { timeout: 30_000, interval: 50 },
    );
    await sleep(1000);
    expect(flaky.received).toHaveLength(2);
    expect(limited.received).toHaveLength(2);
    expect(key(flaky.received[0]!)).toBe(key(flaky.received[1]!));
    expect(limited.received[1]!.at - limited.received[0]!.at).toBeGreaterThanOrEqual(950);
    expect(gone.received.map((r) => r.status)).toEqual([404]);
    // whichever of the two servers claimed it says so
    expect(servers.map((x) => x.output()).join('')).toMatch(/finished notification to http:\/\/127\.0\.0\.1:\d+\/…\/c refused with HTTP 404; not retried/);
  });

  it('a server killed between a failed attempt and its retry delivers the message once after a restart', async () => {
    const hook = await receiver({ status: 500 }, { status: 200 });
    const first = await server([], { EXEC_TRACK_NOTIFY_RETRY: '1500ms', EXEC_TRACK_NOTIFY_RETRY_MAX: '1500ms' });
    const run = await runCli(['run', '--server', first.url, '--notify', `${hook.url}/x`, '--notify-on', 'failed', '--', 'sh', '-c', 'exit 9'], {
      home: home.dir,
    });
    expect(run.exitCode).toBe(9);
    // killed once the failure is recorded and the retry is planned, before it is due
    await vi
      .waitFor(() => expect(first.output()).toMatch(/failed with HTTP 500; retry in/), { timeout: 30_000, interval: 20 })
      .catch((e) => {
        throw new Error(`${e}\n${first.output()}\n${JSON.stringify(hook.received)}`);
      });
    expect(hook.received).toHaveLength(1);
    first.proc.kill('SIGKILL');
    await first.stop();
    servers.splice(servers.indexOf(first), 1);
    await server();
    await vi.waitFor(() => expect(hook.received.map((r) => r.status)).toEqual([500, 200]), { timeout: 30_000, interval: 50 });
    await sleep(800);
    expect(hook.received).toHaveLength(2);
    expect(key(hook.received[1]!)).toBe(key(hook.received[0]!));
    expect(JSON.parse(hook.received[1]!.body)).toMatchObject({ event: 'failed', execution: { exitCode: 9 } });
  });

  it('server down when the run starts: its own rule waits in the spool and is registered by sync, so the failure is still reported', async () => {
    const hook = await receiver();
    const first = await server();
    const port = first.port;
    await first.stop();
    const run = await runCli(['run', '--server', first.url, '--notify', `${hook.url}/late`, '--', 'sh', '-c', 'echo down; exit 6'], { home: home.dir });
    expect(run.exitCode).toBe(6);
    expect(run.err).not.toContain('could not set up the notification');
    servers.push(await startServer({ home: home.dir, port, args: ['--db', join(home.dir, 'server.db'), '--heartbeat-timeout', '1s'], env: FAST }));
    expect((await runCli(['sync'], { home: home.dir })).exitCode).toBe(0);
    await vi.waitFor(() => expect(hook.received.map((r) => JSON.parse(r.body))).toMatchObject([{ event: 'failed', execution: { exitCode: 6 } }]), {
      timeout: 30_000,
      interval: 100,
    });
  });

  it('embedded: the wrapper sends before it exits; notify test prints the real answer; notify add/list/rm on the embedded store', async () => {
    const hook = await receiver();
    const run = await runCli(['run', '--notify', `${hook.url}/hook`, '--', 'sh', '-c', 'echo last words; exit 3'], { home: home.dir, env: FAST });
    expect(run.exitCode).toBe(3);
    expect(hook.received).toHaveLength(1);
    expect(JSON.parse(hook.received[0]!.body)).toMatchObject({ version: 1, event: 'failed', execution: { exitCode: 3 }, lines: [{ text: 'last words' }] });
    // a command that cannot start is reported by its own rule too
    const missing = await runCli(['run', '--notify', `${hook.url}/missing`, '--', '/nonexistent/cmd'], { home: home.dir, env: FAST });
    expect(missing.exitCode).toBe(127);
    expect(hook.received.filter((r) => r.path === '/missing').map((r) => JSON.parse(r.body))).toMatchObject([
      { event: 'lost', execution: { state: 'Exec crushed' } },
    ]);

    const teapot = await receiver({ status: 418, body: '{"ok":false,"error":"teapot"}' });
    const test = await runCli(['notify', 'test', `slack+${teapot.url}/services/x`], { home: home.dir });
    expect([test.exitCode, test.out]).toEqual([1, 'HTTP 418\n{"ok":false,"error":"teapot"}\n']);
    expect(JSON.parse(teapot.received[0]!.body).text).toContain('failed: sample run');
    const refused = await runCli(['notify', 'test', 'gopher://example.org/x'], { home: home.dir });
    expect(refused.exitCode).toBe(2);
    expect(refused.err).toBe('exec-track: A notification URL must be http:// or https://, got gopher://.\n');

    const added = await runCli(['notify', 'add', 'default', `${hook.url}/team/secret9876`, '--on', 'lost'], { home: home.dir });
    const id = /Added notification (n_\S+):/.exec(added.out)![1]!;
    const list = await runCli(['notify', 'list', 'default'], { home: home.dir });
    expect(list.out).toContain(`${id}  webhook  ${hook.url}/…9876  on lost`);
    expect(list.out).not.toContain('secret9876');
    expect((await runCli(['notify', 'rm', id], { home: home.dir })).exitCode).toBe(0);
    const malformed = await runCli(['notify', 'rm', 'foo'], { home: home.dir });
    expect([malformed.exitCode, malformed.err]).toEqual([
      2,
      'exec-track: "foo" is not a notification rule id (n_…); list them with `exec-track notify list <session>`.\n',
    ]);
    expect((await runCli(['notify', 'list', 'default'], { home: home.dir })).out).not.toContain(id);
    const bad = await runCli(['run', '--notify', `${hook.url}/x`, '--notify-on', 'exploded', '--', 'true'], { home: home.dir });
    expect([bad.exitCode, bad.err]).toEqual([
      2,
      'exec-track: --notify-on expects a comma-separated list of finished, failed, lost, stalled, got "exploded".\n',
    ]);
    const sessionDone = await runCli(['run', '--notify', `${hook.url}/x`, '--notify-on', 'failed,session-done', '--', 'true'], { home: home.dir });
    expect([sessionDone.exitCode, sessionDone.err]).toEqual([
      2,
      "exec-track: --notify-on takes the events of one run (finished, failed, lost, stalled); session-done is a session's: use `exec-track notify add <session> <url> --on session-done`.\n",
    ]);
    const tooLong = await runCli(['run', '--notify', `${hook.url}/x`, '--stall-after', '31d', '--', 'true'], { home: home.dir });
    expect([tooLong.exitCode, tooLong.err]).toEqual([2, 'exec-track: --stall-after expects a duration from 1s to 30d, got "31d".\n']);
    // refused before anything ran: no rule, no message
    expect(hook.received.filter((r) => r.path === '/x')).toHaveLength(0);
  });

  it('embedded: a hook that never answers holds the wrapper at most the documented 5 s, not the attempt timeout; options without --notify are refused', async () => {
    const hanging = await receiver({ status: 200, hang: true });
    const started = Date.now();
    const held = runCli(['run', '--notify', `${hanging.url}/hang`, '--notify-on', 'finished', '--', 'true'], {
      home: home.dir,
      env: { ...FAST, EXEC_TRACK_NOTIFY_TIMEOUT: '120s' },
    });
    // the refusals below are checked while that wrapper waits out its 5 s
    const [alone, stall] = await Promise.all([
      runCli(['run', '--notify-on', 'failed', '--', 'true'], { home: home.dir }),
      runCli(['run', '--stall-after', '5m', '--', 'true'], { home: home.dir }),
    ]);
    const run = await held;
    const took = Date.now() - started;
    expect(run.exitCode).toBe(0);
    expect(hanging.received).toHaveLength(1);
    // the attempt's own timeout is 120 s; the wrapper gives up sending after 5 s (docs/notifications.md), the message waits in the outbox
    expect(took).toBeLessThan(60_000);

    expect([alone.exitCode, alone.err]).toEqual([
      2,
      "exec-track: --notify-on applies to the rules of --notify <url>; add --notify <url>, or use `exec-track notify add` for a session's rules.\n",
    ]);
    expect([stall.exitCode, stall.err]).toEqual([
      2,
      "exec-track: --stall-after applies to the rules of --notify <url>; add --notify <url>, or use `exec-track notify add` for a session's rules.\n",
    ]);
  });
});
