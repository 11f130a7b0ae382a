import { appendFileSync, existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpoolWriter } from '../../src/spool/spool-writer.js';
import { LINES_FILE, listSpool, pendingSpoolCount, readAcked, readMeta, readRawLines, type SpoolMeta } from '../../src/spool/spool-files.js';
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
    const stored = readFileSync(join(spool.dir, LINES_FILE), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as ReportLine);
    expect(stored).toEqual(Array.from({ length: 5000 }, (_, seq) => line(seq)));
  });

  const parsed = (bytes: Buffer) =>
    bytes
      .toString()
      .trimEnd()
      .split('\n')
      .filter(Boolean)
      .map((r) => JSON.parse(r) as ReportLine);

  it.each([0, 1, 1023, 1024, 1025, 2047, 4999, 49_000])('reads back from seq %i, across index slots and flushes', (from) => {
    const spool = SpoolWriter.create(meta('e_1'), env);
    for (let seq = 0; seq < 50_000; seq++) spool.append(line(seq));
    const span = spool.readLines(from, 1500, 1 << 20);
    expect(span.count).toBe(Math.min(1500, 50_000 - from));
    expect(parsed(span.bytes)).toEqual(Array.from({ length: span.count }, (_, i) => line(from + i)));
    spool.close();
  });

  it('reads on in order from where the last read ended, also after a jump back (a resend)', () => {
    const spool = SpoolWriter.create(meta('e_1'), env);
    const got: ReportLine[] = [];
    for (let seq = 0; seq < 3000; seq++) {
      spool.append(line(seq));
      // reads interleaved with appends, as the sender does while the child writes
      if (seq % 700 === 699) for (let s; (s = spool.readLines(got.length, 256, 1 << 20)).count > 0;) got.push(...parsed(s.bytes));
    }
    for (let s; (s = spool.readLines(got.length, 256, 1 << 20)).count > 0;) got.push(...parsed(s.bytes));
    expect(got).toEqual(Array.from({ length: 3000 }, (_, seq) => line(seq)));
    expect(parsed(spool.readLines(5, 2, 1 << 20).bytes)).toEqual([line(5), line(6)]);
    spool.close();
  });

  it.each([
    [100, 1],
    [1, 1],
    [40, 2],
  ])('stops before a line that takes a read over %i bytes, yet always returns the first line (%i)', (maxBytes, count) => {
    const spool = SpoolWriter.create(meta('e_1'), env);
    for (let seq = 0; seq < 10; seq++) spool.append(line(seq));
    // each line of seq < 10 here serialises to 53-61 bytes
    const first = Buffer.byteLength(JSON.stringify(line(0))) + 1;
    const limit = maxBytes === 40 ? first + Buffer.byteLength(JSON.stringify(line(1))) + 1 : maxBytes;
    const span = spool.readLines(0, 10, limit);
    expect(span.count).toBe(count);
    expect(parsed(span.bytes)).toEqual(Array.from({ length: count }, (_, i) => line(i)));
    spool.close();
  });

  it('reads nothing beyond the last line', () => {
    const spool = SpoolWriter.create(meta('e_1'), env);
    spool.append(line(0));
    expect(spool.readLines(1, 10, 1 << 20).count).toBe(0);
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
