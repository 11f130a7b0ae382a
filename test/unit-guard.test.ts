import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';

// Runs in the `unit` project, whose setup file is test/unit-guard.ts.
describe('the unit project', () => {
  it('refuses to start a child process', () => {
    expect(() => spawn(process.execPath, ['-e', '0'])).toThrow(/child_process.spawn in a unit test; list the file under E2E/);
  });

  it('refuses to listen on a port', () => {
    expect(() => createServer().listen(0, '127.0.0.1')).toThrow(/net.Server#listen in a unit test/);
  });
});
