import { appendFileSync, existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpoolWriter } from '../../src/client/spool.js';
import { LINES_FILE, listSpool, pendingSpoolCount, readAcked, readMeta, readRawLines, type SpoolMeta } from '../../src/client/spool-files.js';
import type { ReportLine } from '../../src/protocol/types.js';
import { tempHome } from '../helpers/cli.js';

function meta(id: string, wrapperPid = process.pid): SpoolMeta {
  return {
    server: 'http://127.0.0.1:1',
    session: { id: 's_AAAAAAAAAAAAAAAAAAAAAA', title: 'default' },
    execution: { id, name: null, command: ['echo'], cwd: '/', host: 'h', pid: wrapperPid, startedAt: 1, metrics: { enabled: true } },
    outcome: null,
    sessionCreated: false,
    executionCreated: false,
    wrapperPid,
  };
}

const line = (seq: number): ReportLine => ({ seq, ts: 1_000 + seq, stream: seq % 3 ? 'stdout' : 'stderr', text: `line ${seq} ${'é'.repeat(seq % 5)}` });

describe('SpoolWriter', () => {
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    home = tempHome();
    env = { EXEC_TRACK_HOME: home.dir };
  });
  afterEach(() => home.cleanup());

  it('writes every appended line to the file as NDJSON in order', () => {
    const spool = SpoolWriter.create(meta('e_1'), env);
    for (let seq = 0; seq < 5000; seq++) spool.append(line(seq));
    spool.close();
    const stored = readFileSync(join(spool.dir, LINES_FILE), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as ReportLine);
    expect(stored).toEqual(Array.from({ length: 5000 }, (_, seq) => line(seq)));
  });

  it.each([0, 1, 1023, 1024, 1025, 2047, 4999])('reads back from seq %i, across index slots', (from) => {
    const spool = SpoolWriter.create(meta('e_1'), env);
    for (let seq = 0; seq < 5000; seq++) spool.append(line(seq));
    const raw = spool.readRaw(from, 1500);
    expect(raw.map((r) => JSON.parse(r) as ReportLine)).toEqual(Array.from({ length: Math.min(1500, 5000 - from) }, (_, i) => line(from + i)));
    spool.close();
  });

  it('reads nothing beyond the last line', () => {
    const spool = SpoolWriter.create(meta('e_1'), env);
    spool.append(line(0));
    expect(spool.readRaw(1, 10)).toEqual([]);
    spool.close();
  });

  it('keeps meta, outcome and the acked seq on disk, and removes everything once done', () => {
    const spool = SpoolWriter.create(meta('e_1'), env);
    spool.append(line(0));
    spool.setAcked(0);
    spool.updateMeta({ outcome: { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: 5 }, executionCreated: true });
    expect(readAcked(spool.dir)).toBe(0);
    expect(readMeta(spool.dir)).toMatchObject({ executionCreated: true, outcome: { state: 'Passive' } });
    spool.remove();
    expect(existsSync(spool.dir)).toBe(false);
  });
});

describe('readRawLines', () => {
  it('never returns a torn final line without newline', () => {
    const home = tempHome();
    const file = join(home.dir, 'lines');
    appendFileSync(file, '{"a":1}\n{"a":2}\n{"a":');
    const fd = openSync(file, 'r');
    expect(readRawLines(fd, 0, 10)).toEqual({ lines: ['{"a":1}', '{"a":2}'], end: 16 });
    expect(readRawLines(fd, 8, 10).lines).toEqual(['{"a":2}']);
    closeSync(fd);
    home.cleanup();
  });

  it('reads a line longer than its read chunk whole', () => {
    const home = tempHome();
    const file = join(home.dir, 'lines');
    const long = 'x'.repeat(3 * 1024 * 1024);
    appendFileSync(file, `${long}\nshort\n`);
    const fd = openSync(file, 'r');
    expect(readRawLines(fd, 0, 2).lines.map((l) => l.length)).toEqual([long.length, 5]);
    closeSync(fd);
    home.cleanup();
  });
});

describe('pendingSpoolCount', () => {
  it('counts spooled executions whose wrapper is gone, not those of a live wrapper', () => {
    const home = tempHome();
    const env = { EXEC_TRACK_HOME: home.dir };
    expect(pendingSpoolCount(env)).toBe(0);
    SpoolWriter.create(meta('e_live'), env).close();
    SpoolWriter.create(meta('e_dead', 2 ** 22 + 12345), env).close();
    expect(listSpool(env)).toHaveLength(2);
    expect(pendingSpoolCount(env)).toBe(1);
    home.cleanup();
  });
});
