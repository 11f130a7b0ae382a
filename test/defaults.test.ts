import { describe, expect, it } from 'vitest';
import { parseDuration } from '../src/config/duration.js';
import { DEFAULTS, durationText, sizeText } from '../src/defaults.js';
import { DEFAULT_OPTIONS } from '../src/server/options.js';
import { DEFAULT_LINE_QUOTA } from '../src/store/open.js';

describe('the option defaults table', () => {
  it.each(['heartbeatTimeoutMs', 'retentionMs', 'killAfterMs', 'sampleMs'] as const)(
    'spells %s for --help as a duration the option parser reads back',
    (key) => {
      expect(parseDuration(durationText(DEFAULTS[key]), '--x')).toBe(DEFAULTS[key]);
    },
  );

  it('spells the defaults as the docs do', () => {
    expect([durationText(DEFAULTS.heartbeatTimeoutMs), durationText(DEFAULTS.retentionMs), durationText(DEFAULTS.killAfterMs), durationText(1500)]).toEqual([
      '60s',
      '14d',
      '10s',
      '1500ms',
    ]);
    expect([sizeText(DEFAULTS.maxBodyBytes), sizeText(DEFAULTS.maxLineLength, ' characters'), sizeText(1000)]).toEqual([
      '16 MiB',
      '2 Mi characters',
      '1000 bytes',
    ]);
  });

  it('is what the server and the store default to', () => {
    const { sessionTitle: _title, killAfterMs: _kill, sampleMs: _sample, reportLines: _lines, ...server } = DEFAULTS;
    expect(DEFAULT_OPTIONS).toMatchObject(server);
    expect(DEFAULT_LINE_QUOTA).toBe(DEFAULTS.lineQuota);
  });
});
