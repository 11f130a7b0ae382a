import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { spawnCli } from '../report/spawn-cli.js';

/** A child that prints one line, waits until the test creates `flag`, prints another and exits 3. */
const waitingChild = (flag: string) => `
import os, sys, time
print("first step=1 loss=0.5", flush=True)
print("to stderr", file=sys.stderr, flush=True)
while not os.path.exists(${JSON.stringify(flag)}):
    time.sleep(0.05)
print("second step=2 loss=0.25", flush=True)
sys.exit(3)
`;

let home: { dir: string; cleanup: () => void };
let server: ServerProcess | undefined;
beforeEach(() => {
  home = tempHome();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  home.cleanup();
});

describe.each([
  ['a real server', true],
  ['the embedded store', false],
])('report --follow <execution> on %s', (_, remote) => {
  it('shows lines while the child runs and exits with its exit code', async () => {
    const serverArgs: string[] = [];
    if (remote) {
      server = await startServer({ home: home.dir });
      serverArgs.push('--server', server.url);
    }
    const flag = join(home.dir, 'go');
    const runner = spawnCli(['run', ...serverArgs, '--', 'python3', '-c', waitingChild(flag)], { home: home.dir });
    const [, id] = await runner.waitFor(/execution (e_[\w-]+) in session/, 'stderr');
    const follower = spawnCli(['report', '--follow', id!, ...serverArgs], { home: home.dir });
    await follower.waitFor(/first step=1 loss=0\.5/);
    await follower.waitFor(/! to stderr/);
    // the child is still waiting for the flag: what the follower saw arrived live
    expect(runner.proc.exitCode).toBeNull();
    writeFileSync(flag, '');
    const followed = await follower.done;
    expect(followed.exitCode).toBe(3);
    expect(followed.out).toContain('│ second step=2 loss=0.25');
    expect(followed.out).toMatch(/↳ loss=0\.25/);
    expect(followed.out).toMatch(/Execution crushed after .* \(exit 3\)/);
    expect(followed.out).not.toContain('\x1b[');
    expect((await runner.done).exitCode).toBe(3);
  });
});

describe('report --follow on the embedded store', () => {
  it('prints JSON events with --json and ends at once for a finished execution', async () => {
    await runCli(['run', '--quiet', '--', 'sh', '-c', 'echo loss=0.5; exit 7'], { home: home.dir });
    const result = await runCli(['report', 'last', '--follow', '--json'], { home: home.dir });
    expect(result.exitCode).toBe(7);
    const events = result.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(['reports', 'execution']);
    expect(events[0].reports.map((r: { text: string }) => r.text)).toEqual(['loss=0.5']);
    expect(events[1].execution).toMatchObject({ state: 'Execution crushed', exitCode: 7 });
  });

  it('shows executions of the session starting and ending until interrupted', async () => {
    await runCli(['run', '--quiet', '--', 'sh', '-c', 'exit 0'], { home: home.dir });
    const follower = spawnCli(['report', '--follow'], { home: home.dir });
    await follower.waitFor(/Passive after/);
    const flag = join(home.dir, 'go');
    const runner = spawnCli(['run', '--name', 'live-one', '--', 'python3', '-c', waitingChild(flag)], { home: home.dir });
    await follower.waitFor(/live-one +Running python3 -c/);
    writeFileSync(flag, '');
    await follower.waitFor(/live-one +Execution crushed after .* \(exit 3\)/);
    await runner.done;
    follower.proc.kill('SIGINT');
    expect((await follower.done).exitCode).toBe(0);
  });
});

describe('report --follow <execution> when the server drops', () => {
  it('reconnects with backoff and goes on after the last line seen, showing every line once', async () => {
    const db = join(home.dir, 'server.db');
    server = await startServer({ home: home.dir, args: ['--db', db] });
    const port = server.port;
    const flag = join(home.dir, 'go');
    const runner = spawnCli(['run', '--server', server.url, '--', 'python3', '-c', waitingChild(flag)], { home: home.dir });
    const [, id] = await runner.waitFor(/execution (e_[\w-]+) in session/, 'stderr');
    const follower = spawnCli(['report', '--follow', id!, '--server', server.url, '--json'], { home: home.dir });
    await follower.waitFor(/"to stderr"/);
    // the server goes away for a while (longer than the first backoff steps: 0.1 s doubling, so 3 or
    // more attempts fail meanwhile), then comes back on its port
    server.proc.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(follower.proc.exitCode).toBeNull();
    server = await startServer({ home: home.dir, port, args: ['--db', db] });
    writeFileSync(flag, '');
    const followed = await follower.done;
    expect(followed.exitCode).toBe(3);
    const events = followed.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; reports?: Array<{ seq: number; text: string }> });
    const lines = events.flatMap((e) => e.reports ?? []).map((r) => [r.seq, r.text]);
    expect(lines).toEqual([
      [0, 'first step=1 loss=0.5'],
      [1, 'to stderr'],
      [2, 'second step=2 loss=0.25'],
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'execution', execution: { state: 'Execution crushed', exitCode: 3 } });
    expect((await runner.done).exitCode).toBe(3);
  });
});
