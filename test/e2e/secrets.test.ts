import { readdirSync, readFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embeddedDbPath } from '../../src/config/paths.js';
import { openStore } from '../../src/store/open.js';
import { runCli, startServer, tempHome, type CliResult, type ServerProcess } from '../helpers/cli.js';

// FC-19 (field-cases.md): a secret in the wrapper's environment and one in the command's argv
const API_TOKEN = 'tok_demo_8f3a9c1e5b7d';
const DB_PASSWORD = 'pw_demo_42x7q9';
const SECRETS = [API_TOKEN, DB_PASSWORD, API_TOKEN.slice(-10), DB_PASSWORD.slice(-8)];
const SCRIPT = 'echo "auth $DEMO_API_TOKEN / $DEMO_DB_PASSWORD"; echo loss=0.1';
const COMMAND = ['env', `DEMO_DB_PASSWORD=${DB_PASSWORD}`, 'sh', '-c', SCRIPT];
const WRAPPER_ENV = { DEMO_API_TOKEN: API_TOKEN };

/** Every regular file under `dir`, recursively (the db, its -wal/-shm, the spool, the config). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

/** The secrets (or their tails) found in the raw bytes of `files`, as `file: secret`. */
function leaksIn(files: string[]): string[] {
  return files.flatMap((file) => {
    const bytes = readFileSync(file);
    return SECRETS.filter((s) => bytes.includes(s)).map((s) => `${file}: ${s}`);
  });
}

function ids(run: CliResult): { executionId: string; sessionId: string } {
  const m = /exec-track: execution (e_\S+) in session (s_\S+)/.exec(run.err);
  if (!m) throw new Error(`no start line on stderr: ${run.err}`);
  return { executionId: m[1]!, sessionId: m[2]! };
}

function expectTerminalUnmasked(run: CliResult): void {
  expect(run.exitCode).toBe(0);
  expect(run.out).toBe(`auth ${API_TOKEN} / ${DB_PASSWORD}\nloss=0.1\n`);
}

const homes: Array<{ dir: string; cleanup: () => void }> = [];
function home(): string {
  const h = tempHome();
  homes.push(h);
  return h.dir;
}
afterEach(() => {
  for (const h of homes.splice(0)) h.cleanup();
});

describe('secrets are never stored (FC-19)', () => {
  it('stores masked lines and argv in embedded mode, and no secret byte anywhere under EXEC_TRACK_HOME', async () => {
    const dir = home();
    const run = await runCli(['run', '--', ...COMMAND], { home: dir, env: WRAPPER_ENV });
    expectTerminalUnmasked(run);
    const { executionId } = ids(run);

    const store = await openStore(embeddedDbPath({ EXEC_TRACK_HOME: dir }));
    try {
      const execution = await store.getExecution(executionId);
      expect(execution?.command).toEqual(['env', 'DEMO_DB_PASSWORD=[REDACTED]', 'sh', '-c', SCRIPT]);
      expect((await store.readReports(executionId)).map((l) => l.text)).toEqual(['auth [REDACTED] / [REDACTED]', 'loss=0.1']);
      expect(await store.metricSummary(executionId)).toMatchObject({ loss: { last: 0.1 } });
    } finally {
      await store.close();
    }

    const files = filesUnder(dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toContain('exec-track.db');
    expect(leaksIn(files)).toEqual([]);
  });

  describe('in server mode', () => {
    let server: ServerProcess;
    let serverHome: string;
    let proxy: RecordingProxy;
    beforeEach(async () => {
      serverHome = home();
      server = await startServer({ home: serverHome });
      proxy = await startRecordingProxy(server.port);
    });
    afterEach(async () => {
      await proxy.close();
      await server.stop();
    });

    it('sends, stores and logs only masked data: server db, spool, server output and wire traffic hold no secret', async () => {
      const clientHome = home();
      const run = await runCli(['run', '--server', proxy.url, '--', ...COMMAND], { home: clientHome, env: WRAPPER_ENV });
      expectTerminalUnmasked(run);
      const { executionId } = ids(run);

      const execution = (await (await fetch(`${server.url}/api/v1/executions/${executionId}`)).json()) as { execution: { command: string[] } };
      expect(execution.execution.command).toEqual(['env', 'DEMO_DB_PASSWORD=[REDACTED]', 'sh', '-c', SCRIPT]);
      const reports = (await (await fetch(`${server.url}/api/v1/executions/${executionId}/reports`)).json()) as { reports: Array<{ text: string }> };
      expect(reports.reports.map((r) => r.text)).toEqual(['auth [REDACTED] / [REDACTED]', 'loss=0.1']);
      await server.stop();

      expect(filesUnder(serverHome).some((f) => f.endsWith('.db'))).toBe(true);
      expect(leaksIn(filesUnder(serverHome))).toEqual([]);
      expect(leaksIn(filesUnder(clientHome))).toEqual([]);
      expect(SECRETS.filter((s) => server.output().includes(s))).toEqual([]);

      const traffic = proxy.traffic();
      // the proxy must have seen the lines themselves, or finding no secret in it proves nothing
      expect(traffic.includes('loss=0.1')).toBe(true);
      expect(traffic.includes('auth [REDACTED] / [REDACTED]')).toBe(true);
      expect(SECRETS.filter((s) => traffic.includes(s))).toEqual([]);
    });
  });
});

interface RecordingProxy {
  url: string;
  /** Everything sent both ways: HTTP as is, client WebSocket frames unmasked. */
  traffic: () => Buffer;
  close: () => Promise<void>;
}

/**
 * A TCP proxy in front of the server that records every byte. Client→server WebSocket frames are
 * masked (RFC 6455 §5.3), so after an upgrade they are decoded; the proxy drops the client's
 * `Sec-WebSocket-Extensions` offer so no frame is compressed and the recording is plain text.
 */
function startRecordingProxy(targetPort: number): Promise<RecordingProxy> {
  const recorded: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.on('data', (b: Buffer) => {
      recorded.push(b);
      client.write(b);
    });
    let head: Buffer | undefined = Buffer.alloc(0);
    let frames: Buffer | undefined;
    client.on('data', (b: Buffer) => {
      if (frames) {
        upstream.write(b);
        frames = decodeFrames(Buffer.concat([frames, b]), recorded);
        return;
      }
      if (!head) {
        recorded.push(b);
        upstream.write(b);
        return;
      }
      head = Buffer.concat([head, b]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      let header = head.subarray(0, end + 4).toString('latin1');
      const rest = head.subarray(end + 4);
      head = undefined;
      if (/^upgrade: *websocket/im.test(header)) {
        header = header.replace(/^sec-websocket-extensions:.*\r\n/gim, '');
        frames = Buffer.alloc(0);
      }
      const first = Buffer.concat([Buffer.from(header, 'latin1'), rest]);
      recorded.push(first);
      upstream.write(first);
      if (frames) frames = decodeFrames(rest, recorded);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        traffic: () => Buffer.concat(recorded),
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Decodes the complete masked frames at the start of `buf` into `out`; returns the incomplete rest. */
function decodeFrames(buf: Buffer, out: Buffer[]): Buffer {
  let pos = 0;
  for (;;) {
    if (buf.length - pos < 2) break;
    const masked = (buf[pos + 1]! & 0x80) !== 0;
    let len = buf[pos + 1]! & 0x7f;
    let offset = pos + 2;
    if (len === 126) {
      if (buf.length < offset + 2) break;
      len = buf.readUInt16BE(offset);
      offset += 2;
    } else if (len === 127) {
      if (buf.length < offset + 8) break;
      len = Number(buf.readBigUInt64BE(offset));
      offset += 8;
    }
    const keyLength = masked ? 4 : 0;
    if (buf.length < offset + keyLength + len) break;
    const key = buf.subarray(offset, offset + keyLength);
    const payload = Buffer.from(buf.subarray(offset + keyLength, offset + keyLength + len));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i % 4]!;
    out.push(payload);
    pos = offset + keyLength + len;
  }
  return buf.subarray(pos);
}
