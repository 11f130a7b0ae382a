import { describe, expect, it } from 'vitest';
import { createPalette } from '../../src/report/colors.js';
import { commonMetricKeys, renderSessionView } from '../../src/report/session-view.js';
import type { MetricSummary } from '../../src/protocol/types.js';
import { execution, session, summary, T0 } from './data.js';

const plain = createPalette(0);
const linear = execution({ name: 'linear', startedAt: T0, endedAt: T0 + 5_000 });
const forest = execution({ name: 'forest', startedAt: T0 + 1, endedAt: T0 + 300_000 });
const boosted = execution({ name: 'boosted', startedAt: T0 + 2, endedAt: T0 + 60_000 });
const broken = execution({ name: 'broken', state: 'Execution crushed', exitCode: 3, startedAt: T0 + 3, endedAt: T0 + 1_000 });
const data = { session: session(), executions: [linear, forest, boosted, broken] };
const summaries = new Map<string, Record<string, MetricSummary>>([
  [linear.id, { loss: summary([0.9, 0.5]), val_accuracy: summary([0.7, 0.81]) }],
  [forest.id, { loss: summary([0.4, 0.2]), val_accuracy: summary([0.93]) }],
  [boosted.id, { loss: summary([0.3]), val_accuracy: summary([0.88]), lr: summary([0.01]) }],
  [broken.id, { loss: summary([1.5]) }],
]);

/** Names of the rows in display order. */
function order(text: string): string[] {
  return text
    .split('\n')
    .slice(2)
    .map((line) => line.split(/\s+/)[1]!);
}

describe('renderSessionView', () => {
  it.each([
    ['val_accuracy', ['linear', 'boosted', 'forest', 'broken']],
    ['-val_accuracy', ['forest', 'boosted', 'linear', 'broken']],
    ['-duration', ['forest', 'boosted', 'linear', 'broken']],
    ['duration', ['broken', 'linear', 'boosted', 'forest']],
    ['loss', ['forest', 'boosted', 'linear', 'broken']],
    ['name', ['boosted', 'broken', 'forest', 'linear']],
    ['-exit', ['broken', 'linear', 'forest', 'boosted']],
  ])('sorts by %s', (sort, names) => {
    const text = renderSessionView(data, summaries, { metrics: [], sort, width: Number.POSITIVE_INFINITY, palette: plain });
    expect(order(text)).toEqual(names);
  });

  it('shows the last value of the chosen metrics as columns', () => {
    const text = renderSessionView(data, summaries, { metrics: ['val_accuracy'], width: Number.POSITIVE_INFINITY, palette: plain });
    const [header, ...rows] = text.split('\n').slice(1);
    expect(header!.trim().split(/\s+/)).toEqual(['id', 'name', 'state', 'started', 'duration', 'exit', 'lines', 'val_accuracy']);
    expect(rows[0]).toMatch(/linear .* 0\.81$/);
    expect(rows[3]).toMatch(/broken .*Execution crushed .* -$/);
  });

  it('adds a sorted-by metric that is not yet a column', () => {
    const text = renderSessionView(data, summaries, { metrics: ['loss'], sort: 'lr', width: Number.POSITIVE_INFINITY, palette: plain });
    expect(text.split('\n')[1]!.trim().split(/\s+/).slice(-2)).toEqual(['loss', 'lr']);
  });

  it('rejects an unknown sort column as a usage error naming the choices', () => {
    expect(() => renderSessionView(data, summaries, { metrics: [], sort: 'speed', width: 80, palette: plain })).toThrow(
      expect.objectContaining({ code: 'USAGE', exitCode: 2, message: expect.stringContaining('val_accuracy') }),
    );
  });

  it('fits a narrow terminal by dropping columns', () => {
    const text = renderSessionView(data, summaries, { metrics: [], width: 60, palette: plain });
    for (const line of text.split('\n').slice(1)) expect(line.length).toBeLessThanOrEqual(60);
    expect(text).toContain('Execution crushed');
  });

  it('says how to start a run when the session is empty', () => {
    const text = renderSessionView({ session: session(), executions: [] }, new Map(), { metrics: [], width: 80, palette: plain });
    expect(text).toContain('exec-track run -- <command>');
  });

  it('colours states only when the palette has colour', () => {
    const coloured = renderSessionView(data, summaries, { metrics: [], width: Number.POSITIVE_INFINITY, palette: createPalette(1) });
    expect(coloured).toContain('\x1b[32mPassive\x1b[39m');
    expect(coloured).toContain('\x1b[31mExecution crushed\x1b[39m');
    expect(renderSessionView(data, summaries, { metrics: [], width: Number.POSITIVE_INFINITY, palette: plain })).not.toContain('\x1b');
  });
});

describe('commonMetricKeys', () => {
  it('picks the keys most executions have, ties by name', () => {
    expect(commonMetricKeys(summaries)).toEqual(['loss', 'val_accuracy', 'lr']);
  });
});
