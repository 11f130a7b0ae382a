import { writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { serverHome } from '../helpers/server-home.js';
import { spawnCli } from '../report/spawn-cli.js';

/** A TCP proxy to `port` that counts the HTTP requests (WebSocket upgrades included) passing through. */
async function countingProxy(port: number): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    client.on('data', (chunk: Buffer) => {
      requests += chunk.toString('latin1').match(/^(GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) \S+ HTTP\/1\.1\r$/gm)?.length ?? 0;
    });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const waitingChild = (flag: string) => `
import os, sys, time
while not os.path.exists(${JSON.stringify(flag)}):
    time.sleep(0.05)
sys.exit(3)
`;

const suite = serverHome('each');

describe('report --follow <session> on a server', () => {
  it('follows over one socket: a handful of requests over 10 s however much happens, not one a second', async () => {
    const first = await runCli(['run', '--quiet', '--server', suite.server.url, '--session', 'exp', '--', 'sh', '-c', 'exit 0'], { home: suite.home.dir });
    expect(first.exitCode).toBe(0);
    const sessionId = JSON.parse((await runCli(['report', '--json', '--server', suite.server.url], { home: suite.home.dir })).out).session.id as string;

    const proxy = await countingProxy(Number(new URL(suite.server.url).port));
    try {
      const started = Date.now();
      const follower = spawnCli(['report', sessionId, '--follow', '--server', proxy.url], { home: suite.home.dir });
      await follower.waitFor(/Passive after/);
      const flag = join(suite.home.dir, 'go');
      const runner = spawnCli(['run', '--server', suite.server.url, '--session', sessionId, '--name', 'live-one', '--', 'python3', '-c', waitingChild(flag)], {
        home: suite.home.dir,
      });
      await follower.waitFor(/live-one +Running python3 -c/);
      writeFileSync(flag, '');
      await follower.waitFor(/live-one +Execution crushed after .* \(exit 3\)/);
      expect((await runner.done).exitCode).toBe(3);
      // the follow goes on quietly: a poll would keep spending requests here
      await sleep(Math.max(0, 10_000 - (Date.now() - started)));
      const seconds = (Date.now() - started) / 1000;
      follower.proc.kill('SIGINT');
      expect((await follower.done).exitCode).toBe(0);
      const requests = proxy.requests();
      console.log(`session follow: ${requests} requests in ${seconds.toFixed(1)} s`);
      expect(requests).toBeGreaterThan(0);
      expect(requests).toBeLessThanOrEqual(3);
    } finally {
      await proxy.close();
    }
  });
});
