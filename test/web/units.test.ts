import { describe, expect, it } from 'vitest';
import type { PointColumns } from '../../src/store/store.js';
import { downsample } from '../../src/store/downsample.js';
import { escapeHtml, html, jsonBlock } from '../../src/web/html.js';
import { pathOfId } from '../../src/web/pages/home.js';

const points = (values: number[]): PointColumns => ({
  step: Float64Array.from(values, (_, i) => i),
  seq: Float64Array.from(values, (_, i) => i),
  ts: Float64Array.from(values, (_, i) => 1000 + i),
  value: Float64Array.from(values),
});

describe('downsample', () => {
  it('keeps every point when there are few enough, non-finite values as null', () => {
    expect(downsample(points([1, Number.NaN, 3]), { x: 'step', buckets: 2 })).toEqual({
      step: [0, 1, 2],
      ts: [1000, 1001, 1002],
      value: [1, null, 3],
      total: 3,
      downsampled: false,
    });
  });

  it("keeps each bucket's min and max in x order, so a lone spike survives", () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i === 617 ? 99 : 1 + (i % 7) / 100));
    const out = downsample(points(values), { x: 'step', buckets: 10 });
    expect(out.value.length).toBeLessThanOrEqual(20);
    expect(out.value).toContain(99);
    expect(out.step).toEqual([...out.step].sort((a, b) => a - b));
    expect(out).toMatchObject({ total: 1000, downsampled: true });
  });

  it('counts and buckets only the points in the asked x range', () => {
    const out = downsample(points(Array.from({ length: 100 }, (_, i) => i)), { x: 'ts', from: 1010, to: 1019, buckets: 2 });
    expect(out).toMatchObject({ step: [10, 14, 15, 19], total: 10, downsampled: true });
  });
});

describe('html', () => {
  it('escapes every interpolated value but SafeHtml', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${'"x\''}">${inner}${['<', '&']}${null}</p>`.value).toBe('<p title="&quot;x&#39;"><b>&lt;i&gt;</b>&lt;&amp;</p>');
    expect(escapeHtml('<script>')).toBe('&lt;script&gt;');
  });

  it('writes JSON for the page script that no text can close', () => {
    expect(jsonBlock('d', { t: '</script><script>x()</script>' }).value).toBe(
      '<script type="application/json" id="d">{"t":"\\u003c/script>\\u003cscript>x()\\u003c/script>"}</script>',
    );
  });

  it('finds the id in a pasted link or id', () => {
    expect(pathOfId('https://host/e/e_AAAAAAAAAAAAAAAAAAAAAA#L3')).toBe('/e/e_AAAAAAAAAAAAAAAAAAAAAA#L3');
    expect(pathOfId('https://host/e/e_AAAAAAAAAAAAAAAAAAAAAA#L3"><script>')).toBe('/e/e_AAAAAAAAAAAAAAAAAAAAAA');
    expect(pathOfId('https://host/s/s_AAAAAAAAAAAAAAAAAAAAAA#L3')).toBe('/s/s_AAAAAAAAAAAAAAAAAAAAAA');
    expect(pathOfId(' s_AAAAAAAAAAAAAAAAAAAAAA ')).toBe('/s/s_AAAAAAAAAAAAAAAAAAAAAA');
    expect(pathOfId('e_short')).toBeNull();
  });
});
