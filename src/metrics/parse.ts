import { createRequire } from 'node:module';
import { ExecTrackError } from '../errors.js';
import type { MetricsConfig } from '../protocol/types.js';
import { parseDefault } from './grammar.js';
import { asStep, parseMetricValue } from './value.js';

/** One metric read from a line. `step` is set only when the line itself gives one. */
export interface ParsedMetric {
  key: string;
  value: number;
  step?: number;
}

/**
 * What a stream's earlier lines leave for its next ones (docs/metrics.md, "Carried to the next
 * lines"): the step of the last step header or step line, the last epoch, and the columns of an open table. One
 * per execution and stream; plain JSON, so the store can keep it between ingest batches.
 */
export interface StreamContext {
  step?: number;
  /** The last epoch given (`Epoch 3/10`, `epoch=3`): what a position `[a/b]` counts within. */
  epoch?: number;
  columns?: string[];
}

/**
 * Reads the metrics of one line of text (already cleaned: ANSI stripped, `\r` collapsed), in the
 * `context` of its stream's earlier lines, which it updates. Without a context the line is read alone.
 */
export type MetricParser = (text: string, context?: StreamContext) => ParsedMetric[];

const none: MetricParser = () => [];

/**
 * The one metric parser of exec-track (issue 5), used by ingest on the server and in the embedded
 * store alike. `enabled: false` reads nothing; a `pattern` (a regex with named groups `key`,
 * `value` and optional `step`) replaces the default grammar of docs/metrics.md.
 *
 * @throws ExecTrackError `USAGE` when the pattern is not a valid regex or lacks `key`/`value` groups.
 */
export function createMetricParser(config: MetricsConfig): MetricParser {
  if (!config.enabled) return none;
  if (config.pattern) return customParser(config.pattern);
  return (text, context = {}) => parseDefault(text, context);
}

function customParser(pattern: string): MetricParser {
  const regex = compileLinear(pattern);
  if (!/\(\?<key>/.test(pattern) || !/\(\?<value>/.test(pattern)) {
    throw new ExecTrackError('USAGE', `The metrics pattern ${JSON.stringify(pattern)} needs named groups (?<key>…) and (?<value>…); add them.`);
  }
  return (text) => {
    const found: ParsedMetric[] = [];
    for (const m of text.matchAll(regex)) {
      const groups = m.groups!;
      const value = parseMetricValue(groups.value ?? '');
      if (!groups.key || value === undefined) continue;
      const step = groups.step === undefined ? undefined : asStep(parseMetricValue(groups.step));
      found.push(step === undefined ? { key: groups.key, value } : { key: groups.key, value, step });
    }
    return found;
  };
}

/**
 * Compiles a user's pattern for V8's non-backtracking engine (the `l` flag,
 * https://v8.dev/blog/non-backtracking-regexp): a client's pattern runs at ingest on the server, so
 * no input may make it backtrack without bound (ReDoS). Back-references and lookarounds cannot run
 * in linear time and are refused.
 * @throws ExecTrackError `USAGE` for an invalid pattern or one that cannot run in linear time.
 */
function compileLinear(pattern: string): RegExp {
  try {
    new RegExp(pattern);
  } catch (cause) {
    throw new ExecTrackError('USAGE', `The metrics pattern ${JSON.stringify(pattern)} is not a valid regular expression; fix it or drop --metrics-pattern.`, {
      cause,
    });
  }
  // node:v8 required only here, for a --metrics-pattern: a plain `run` does not load it (B4)
  (createRequire(import.meta.url)('node:v8') as typeof import('node:v8')).setFlagsFromString('--enable-experimental-regexp-engine');
  try {
    return new RegExp(pattern, 'gl');
  } catch (cause) {
    throw new ExecTrackError(
      'USAGE',
      `The metrics pattern ${JSON.stringify(pattern)} cannot run in linear time (back-references and lookarounds are not supported); simplify it.`,
      { cause },
    );
  }
}
