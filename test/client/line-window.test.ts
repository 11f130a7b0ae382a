import { describe, expect, it } from 'vitest';
import { LineWindow } from '../../src/client/line-window.js';

function filled(capacity: number, count: number): LineWindow {
  const window = new LineWindow(capacity);
  for (let seq = 0; seq < count; seq++) window.push(seq, `l${seq}`);
  return window;
}

describe('LineWindow', () => {
  it('returns lines from a seq while they are in memory', () => {
    expect(filled(10, 5).get(2, 2)).toEqual(['l2', 'l3']);
  });

  it('forgets the oldest lines beyond its capacity, so reads fall back to the spool', () => {
    const window = filled(10, 25);
    expect(window.get(14, 100)).toBeUndefined();
    expect(window.get(15, 100)).toEqual(Array.from({ length: 10 }, (_, i) => `l${15 + i}`));
  });

  it('drops acked lines and keeps taking new ones', () => {
    const window = filled(10, 5);
    window.dropThrough(4);
    expect(window.get(4, 1)).toBeUndefined();
    window.push(5, 'l5');
    expect(window.get(5, 5)).toEqual(['l5']);
  });

  it('after clear, has nothing in memory until new lines arrive', () => {
    const window = filled(10, 5);
    window.clear();
    expect(window.get(0, 5)).toBeUndefined();
    expect(window.get(5, 5)).toBeUndefined();
    window.push(9, 'l9');
    expect(window.get(9, 5)).toEqual(['l9']);
  });
});
