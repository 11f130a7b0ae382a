import { textWidth, truncate } from './text-width.js';

/** One column of a {@link renderTable} table. */
export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** Lower is more important; when the table is too wide, the highest priority values go first. */
  priority: number;
  /** Longest cell width before a cell is cut with `…` (plain text only; default unlimited). */
  maxWidth?: number;
}

const GAP = '  ';

/**
 * Lays out rows in columns separated by two spaces, headers first (dimmed by `header`).
 * When the table is wider than `width` cells, whole columns are dropped, least important first,
 * rather than wrapping; the most important column always stays. Cells may hold ANSI colour.
 */
export function renderTable(columns: Column[], rows: string[][], width: number, header: (s: string) => string = (s) => s): string {
  const cut = rows.map((row) => row.map((cell, i) => (columns[i]!.maxWidth ? truncate(cell, columns[i]!.maxWidth!) : cell)));
  const widths = columns.map((c, i) => Math.max(textWidth(c.header), ...cut.map((row) => textWidth(row[i] ?? ''))));
  const keep = columns.map((_, i) => i);
  const total = () => keep.reduce((sum, i) => sum + widths[i]!, 0) + GAP.length * (keep.length - 1);
  while (keep.length > 1 && total() > width) {
    const worst = keep.reduce((a, b) => (columns[b]!.priority >= columns[a]!.priority ? b : a));
    keep.splice(keep.indexOf(worst), 1);
  }
  const line = (cells: string[], paint: (s: string) => string = (s) => s) =>
    keep
      .map((i, k) => {
        const cell = cells[i] ?? '';
        const fill = ' '.repeat(widths[i]! - textWidth(cell));
        if (columns[i]!.align === 'right') return fill + paint(cell);
        return k === keep.length - 1 ? paint(cell) : paint(cell) + fill;
      })
      .join(GAP);
  return [
    line(
      columns.map((c) => c.header),
      header,
    ),
    ...cut.map((row) => line(row)),
  ].join('\n');
}
