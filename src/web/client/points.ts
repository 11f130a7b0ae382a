import { getJson } from './dom.js';
import type { SeriesJson } from '../../protocol/responses.js';
import { MAX_POINT_KEYS } from '../../protocol/query-limits.js';

/** What a chart's x axis is: the step, or the capture time (ms since epoch). */
export type XAxis = 'step' | 'ts';

/** An x range, inclusive, in the axis' own unit (step, or ms since epoch). */
export interface XRange {
  from: number;
  to: number;
}

/** A point that arrived on the follow socket: `ts` in ms since epoch (NaN when unknown). */
export interface LivePoint {
  step: number;
  ts: number;
  value: number | null;
}

const EMPTY: SeriesJson = { step: [], ts: [], value: [], total: 0, downsampled: false };

/**
 * Metric series of one execution from `GET /api/v1/executions/:id/points` (docs/api.md), downsampled
 * by the server to `buckets` min/max pairs, optionally in an x range; an empty series for a key the
 * execution does not have. One request for all `keys` (at most {@link MAX_POINT_KEYS}).
 */
export async function fetchPoints(executionId: string, keys: string[], x: XAxis, buckets: number, range?: XRange): Promise<Map<string, SeriesJson>> {
  const params = new URLSearchParams({ keys: keys.join(','), buckets: String(buckets), x });
  if (range) {
    params.set('from', String(range.from));
    params.set('to', String(range.to));
  }
  const body = await getJson<{ series: Record<string, SeriesJson> }>(`/api/v1/executions/${executionId}/points?${params}`);
  return new Map(keys.map((key) => [key, body.series[key] ?? structuredClone(EMPTY)]));
}

/** One read of several keys on one x axis: its answer, and the live points that came while it was under way. */
interface Read {
  keys: Set<string>;
  answer: Promise<Map<string, SeriesJson>>;
  early: Map<string, LivePoint[]>;
}

/**
 * The whole (unzoomed) series of an execution's keys, read for all of a page's charts at once: the
 * first chart that asks reads every key registered with {@link add} that no chart has had yet (up to
 * {@link MAX_POINT_KEYS} a request), and the others take theirs from what that read kept. A kept
 * series gets the live points that arrive before its chart takes it, so a chart scrolled into view
 * late misses none. A change of x axis starts over (every key read again, once).
 */
export class PointsLoader {
  readonly #executionId: string;
  readonly #keys = new Set<string>();
  #x: XAxis | undefined;
  /** Keys not read on the current axis yet. */
  #unread = new Set<string>();
  /** Series read and not yet taken by their chart. */
  #kept = new Map<string, SeriesJson>();
  #reads: Read[] = [];

  constructor(executionId: string) {
    this.#executionId = executionId;
  }

  /** Registers a key whose chart will ask for it (read with the next read). */
  add(key: string): void {
    if (this.#keys.has(key)) return;
    this.#keys.add(key);
    this.#unread.add(key);
  }

  /** The whole series of `key` on axis `x`, about `buckets` buckets wide; the chart owns it from then on. */
  async series(key: string, x: XAxis, buckets: number): Promise<SeriesJson> {
    if (x !== this.#x) {
      this.#x = x;
      this.#unread = new Set(this.#keys);
      this.#kept.clear();
      this.#reads = [];
    }
    const kept = this.#kept.get(key);
    if (kept) {
      this.#kept.delete(key);
      return kept;
    }
    const read = this.#reads.find((r) => r.keys.has(key)) ?? this.#read(key, x, buckets);
    const answer = await read.answer;
    // a read for another axis (the axis changed while this one was under way) keeps nothing
    if (this.#kept.get(key) === answer.get(key)) this.#kept.delete(key);
    return answer.get(key)!;
  }

  /** Adds live points to the kept (or being read) series of `key`. */
  append(key: string, points: LivePoint[]): void {
    const kept = this.#kept.get(key);
    if (kept) pushNewer(kept, points);
    for (const read of this.#reads) {
      if (read.keys.has(key)) read.early.set(key, [...(read.early.get(key) ?? []), ...points]);
    }
  }

  #read(key: string, x: XAxis, buckets: number): Read {
    const keys = new Set([...new Set([key, ...this.#unread])].slice(0, MAX_POINT_KEYS));
    keys.forEach((k) => this.#unread.delete(k));
    const early = new Map<string, LivePoint[]>();
    const read: Read = { keys, early, answer: Promise.resolve(new Map()) };
    read.answer = fetchPoints(this.#executionId, [...keys], x, buckets).then(
      (answer) => {
        answer.forEach((series, k) => pushNewer(series, early.get(k) ?? []));
        if (this.#reads.includes(read)) {
          this.#reads = this.#reads.filter((r) => r !== read);
          answer.forEach((series, k) => this.#kept.set(k, series));
        }
        return answer;
      },
      (error: unknown) => {
        this.#reads = this.#reads.filter((r) => r !== read);
        keys.forEach((k) => this.#unread.add(k));
        throw error;
      },
    );
    this.#reads.push(read);
    return read;
  }
}

/** Appends the points past the series' last step (a point the read already had is not added twice). */
export function pushNewer(s: SeriesJson, points: LivePoint[]): void {
  const last = s.step.at(-1) ?? -Infinity;
  for (const p of points) {
    if (p.step <= last) continue;
    s.step.push(p.step);
    s.ts.push(p.ts);
    s.value.push(p.value);
    s.total++;
  }
}
