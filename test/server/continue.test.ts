import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, tempHome, type ServerProcess } from '../helpers/cli.js';

describe('serve and Expect: 100-continue', () => {
  let home: ReturnType<typeof tempHome>;
  let server: ServerProcess;
  beforeEach(async () => {
    home = tempHome();
    server = await startServer({ home: home.dir, args: ['--db', join(home.dir, 's.db'), '--max-body', '100000'] });
  });
  afterEach(async () => {
    await server.stop();
    home.cleanup();
  });

  it('answers a body declared over --max-body with the 413 JSON error before the client sends it', () => {
    const body = join(home.dir, 'big.json');
    writeFileSync(body, JSON.stringify({ lines: [{ seq: 0, ts: 1, stream: 'stdout', text: 'x'.repeat(500_000) }] }));
    const out = execFileSync('curl', [
      '-s',
      '-o',
      '-',
      '-w',
      '\n%{http_code}',
      '-H',
      'Expect: 100-continue',
      '-H',
      'content-type: application/json',
      '--data-binary',
      `@${body}`,
      `${server.url}/api/v1/executions/e_AAAAAAAAAAAAAAAAAAAAAA/reports`,
    ]).toString();
    const [json, status] = out.split('\n');
    expect(status).toBe('413');
    expect(JSON.parse(json!)).toEqual({ error: { code: 'TOO_LARGE', message: expect.stringContaining('--max-body') } });
  });

  it('still serves a small body sent with Expect: 100-continue', () => {
    const out = execFileSync('curl', ['-s', '-w', '\n%{http_code}', '-H', 'Expect: 100-continue', '-X', 'POST', `${server.url}/api/v1/users`]).toString();
    expect(out.split('\n').at(-1)).toBe('201');
  });
});
