import { describe, expect, it } from 'vitest';
import { createPalette } from '../../src/report/colors.js';
import { renderExecutionHeader, renderLines, renderLogCaption, renderMetricsTable } from '../../src/report/execution-view.js';
import { execution, points, summary } from './data.js';

const plain = createPalette(0);

describe('renderExecutionHeader', () => {
  it('adds what the run used (GNU time -v style) and where it ran: host, git, exec-track version', () => {
    const usage = { peakRssBytes: 3.1 * 2 ** 30, userCpuMs: 7 * 3_600_000, systemCpuMs: 2 * 60_000 };
    const context = { git: { commit: '0123456789abcdef0123', branch: 'main', dirty: true }, version: '0.1.0' };
    const text = renderExecutionHeader(execution({ usage, context, host: 'gpu-box' }), plain);
    expect(text).toContain('usage    peak 3.1 GiB · CPU 7h 2m (user 7h, system 2m)');
    expect(text).toContain('host     gpu-box');
    expect(text).toContain('git      0123456789ab on main, dirty');
    expect(text).toContain('tracker  exec-track 0.1.0');
    expect(renderExecutionHeader(execution(), plain)).not.toMatch(/usage|git|tracker/);
  });

  it('shows command, state with exit code and signal, reason and duration', () => {
    const e = execution({
      command: ['sh', '-c', 'kill -SEGV $$'],
      state: 'Execution crushed',
      exitCode: 139,
      signal: 'SIGSEGV',
      reason: 'killed by SIGSEGV',
      endedAt: execution().startedAt! + 192_000,
    });
    const text = renderExecutionHeader(e, plain);
    expect(text).toContain(`command  sh -c 'kill -SEGV $$'`);
    expect(text).toContain('state    Execution crushed  (exit 139, SIGSEGV)');
    expect(text).toContain('reason   killed by SIGSEGV');
    expect(text).toContain('duration 3m 12s');
  });

  it('counts the duration of a running execution up to now', () => {
    const e = execution({ state: 'Running', exitCode: null, endedAt: null });
    expect(renderExecutionHeader(e, plain, 80, e.startedAt! + 1_200)).toContain('duration 1.2s so far');
  });

  it('cuts a long command to the terminal width instead of wrapping', () => {
    const e = execution({ command: ['python3', '-c', 'x'.repeat(200)] });
    const line = renderExecutionHeader(e, plain, 60).split('\n')[1]!;
    expect(line).toHaveLength(60);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('renderMetricsTable', () => {
  it('lists key, last, min, max, count and a sparkline per metric', () => {
    const values = [0.9, 0.7, 0.5, 0.3];
    const text = renderMetricsTable({ loss: summary(values) }, points('loss', values), 120, plain);
    expect(text.split('\n')).toEqual(['metric  last  min  max  count  trend', 'loss     0.3  0.3  0.9      4  █▆▃▁']);
  });

  it('is empty without metrics', () => {
    expect(renderMetricsTable({}, [], 80, plain)).toBe('');
  });
});

describe('renderLines', () => {
  it('marks stderr with ! and stdout with │, and flags partial and truncated lines', () => {
    const text = renderLines(
      [
        { seq: 0, ts: 0, stream: 'stdout', text: 'ok' },
        { seq: 1, ts: 0, stream: 'stderr', text: 'fatal', partial: true },
        { seq: 2, ts: 0, stream: 'stdout', text: 'big', truncated: true, byteLength: 2_000_000 },
      ],
      plain,
    );
    expect(text).toBe('│ ok\n! fatal …\n│ big ✂ 2,000,000 bytes');
  });

  it('never prints control characters raw', () => {
    expect(renderLines([{ seq: 0, ts: 0, stream: 'stdout', text: 'a\x1b[2Jb\x07c' }], plain)).toBe('│ a\ufffd[2Jb\ufffdc');
  });
});

describe('renderLogCaption', () => {
  it.each([
    [20, 1234, '── last 20 of 1,234 lines ──'],
    [12, 12, '── all 12 lines ──'],
    [0, 0, 'no output lines'],
  ])('captions %d shown of %d', (shown, total, caption) => {
    expect(renderLogCaption(shown, total, plain)).toBe(caption);
  });
});
