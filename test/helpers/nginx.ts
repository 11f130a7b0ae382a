import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './postgres.js';

/** The deployment example the tests run (docs/deploy.md shows the same file). */
export const NGINX_EXAMPLE = resolve(import.meta.dirname, '../../examples/deploy/nginx.conf');

/** nginx balancing HTTP and WebSocket over exec-track instances, on 127.0.0.1. */
export interface Balancer {
  url: string;
  stop: () => Promise<void>;
}

/**
 * Starts nginx (`daemon off`, a child of this process) with {@link NGINX_EXAMPLE}, its upstream
 * servers replaced by `ports` and its listen port by a free one; pid, logs and temp paths in a
 * temp dir removed on `stop`.
 */
export async function startBalancer(ports: number[]): Promise<Balancer> {
  const dir = mkdtempSync(join(tmpdir(), 'exec-track-nginx-'));
  const port = await freePort();
  const servers = ports.map((p) => `  server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n');
  const site = readFileSync(NGINX_EXAMPLE, 'utf8')
    .replace(/(upstream exec_track \{\n(?:\s*#.*\n)*)(?:\s*server .*\n)+/, `$1${servers}\n`)
    .replace('listen 127.0.0.1:8080;', `listen 127.0.0.1:${port};`);
  writeFileSync(join(dir, 'exec-track.conf'), site);
  for (const t of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, t));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/exec-track.conf;
}
`,
  );
  const proc: ChildProcess = spawn(existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  await waitListening(port, proc, () => err);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitListening(port: number, proc: ChildProcess, err: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`nginx exited: ${err()}`);
    const open = await new Promise<boolean>((r) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        r(true);
      });
      socket.on('error', () => r(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen: ${err()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
