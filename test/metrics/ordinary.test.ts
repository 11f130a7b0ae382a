import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReportLine } from '../../src/protocol/types.js';
import { LineSplitter } from '../../src/runner/lines.js';
import { FIXTURES } from '../helpers/cli.js';
import { EXEC, freshStore } from '../store/setup.js';

// Issue 14: the real output of everyday commands (recorded by test/fixtures/ordinary/record.sh)
// holds no metric. Each file goes through the wrapper's line splitter (redraws become frames) and
// the store's ingest, as `exec-track run` would store it.
const DIR = join(FIXTURES, 'ordinary');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.txt'));

function splitLines(bytes: Buffer): ReportLine[] {
  const out: ReportLine[] = [];
  const splitter = new LineSplitter((line) => out.push({ ...line, seq: out.length, stream: 'stdout' }));
  splitter.push(bytes, 1);
  splitter.end(2);
  return out;
}

describe('ordinary command output yields no metric (issue 14)', () => {
  it('has the corpus the issue names', () => {
    for (const name of [
      'gcc',
      'make',
      'git-clone',
      'apt-get',
      'apt-get-install',
      'dmesg',
      'proc-cpuinfo',
      'proc-meminfo',
      'npm-install',
      'curl',
      'ls-l',
      'ps',
    ]) {
      expect(FILES).toContain(`${name}.txt`);
    }
  });

  it.each(FILES)('stores no point from %s', async (file) => {
    const { store } = await freshStore();
    const lines = splitLines(readFileSync(join(DIR, file)));
    expect(lines.length).toBeGreaterThan(0);
    await store.appendReports(EXEC, lines);
    const points = await store.metricPoints(EXEC);
    expect(points.map((p) => `${p.key}=${p.value} (line ${p.seq}: ${lines[p.seq]!.text})`)).toEqual([]);
  });
});
