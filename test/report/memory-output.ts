import type { Output } from '../../src/report/output.js';

/** An Output that collects what a view writes. */
export function memoryOutput(columns = Number.POSITIVE_INFINITY): Output & { text: () => string } {
  const chunks: string[] = [];
  return {
    closed: false,
    columns,
    rows: 24,
    write: async (text) => {
      chunks.push(text);
    },
    text: () => chunks.join(''),
  };
}
