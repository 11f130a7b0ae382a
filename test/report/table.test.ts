import { describe, expect, it } from 'vitest';
import { createPalette } from '../../src/report/colors.js';
import { renderTable, type Column } from '../../src/report/table.js';
import { stripAnsi, textWidth } from '../../src/report/text-width.js';

const columns: Column[] = [
  { header: 'id', priority: 0 },
  { header: 'state', priority: 1 },
  { header: 'lines', align: 'right', priority: 5 },
  { header: 'name', priority: 3, maxWidth: 8 },
];
const rows = [
  ['e_1', 'Passive', '12', 'first run'],
  ['e_22', 'Running', '1,000', 'b'],
];

describe('renderTable', () => {
  it('aligns columns with two spaces, right-aligning numbers', () => {
    expect(renderTable(columns, rows, Number.POSITIVE_INFINITY)).toBe(
      ['id    state    lines  name', 'e_1   Passive     12  first r…', 'e_22  Running  1,000  b'].join('\n'),
    );
  });

  it('drops the least important columns on a narrow terminal instead of wrapping', () => {
    const text = renderTable(columns, rows, 24);
    expect(text.split('\n')[0]).toBe('id    state    name');
    for (const line of text.split('\n')) expect(textWidth(line)).toBeLessThanOrEqual(24);
  });

  it('keeps the most important column even when nothing fits', () => {
    expect(renderTable(columns, rows, 3).split('\n')).toEqual(['id', 'e_1', 'e_22']);
  });

  it('measures coloured cells by their visible width', () => {
    const p = createPalette(1);
    const coloured = rows.map(([id, state, ...rest]) => [id!, p.state(state as 'Passive'), ...rest]);
    expect(stripAnsi(renderTable(columns, coloured, Number.POSITIVE_INFINITY))).toBe(renderTable(columns, rows, Number.POSITIVE_INFINITY));
  });
});
