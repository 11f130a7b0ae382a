import { MAX_LINES_PER_BATCH, MAX_TIME_MS, type ClientFrame } from '../../protocol/messages.js';

/**
 * Keys of reportLineSchema (protocol/messages.ts) this fast path checks by hand; a line with any
 * other key (`points`, or one the schema gains later) goes to zod. Its limits are the schema's own
 * constants (MAX_LINES_PER_BATCH, MAX_TIME_MS); test/server/lines-frame.test.ts checks the two agree.
 */
const LINE_KEYS = new Set(['seq', 'ts', 'stream', 'text', 'partial', 'truncated', 'byteLength', 'frames', 'frameTs']);

/**
 * The common frame — `{type: 'lines', lines}` whose every line plainly matches `reportLineSchema`
 * with no unknown key — checked by hand. zod cost ~2 µs per line, ~2 s of server CPU per 1M lines
 * (issue 6, B3/B5). Returns undefined for anything else, so zod still decides (and words the error)
 * for every other or doubtful frame; never accepts what the schema would reject.
 */
export function plainLinesFrame(json: unknown): ClientFrame | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const frame = json as Record<string, unknown>;
  if (frame.type !== 'lines' || !Array.isArray(frame.lines) || frame.lines.length > MAX_LINES_PER_BATCH) return undefined;
  for (const key in frame) if (key !== 'type' && key !== 'lines') return undefined;
  for (const line of frame.lines) if (!plainLine(line)) return undefined;
  return frame as ClientFrame;
}

function plainLine(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const line = value as Record<string, unknown>;
  for (const key in line) if (!LINE_KEYS.has(key)) return false;
  return (
    isCount(line.seq) &&
    isTime(line.ts) &&
    (line.stream === 'stdout' || line.stream === 'stderr') &&
    typeof line.text === 'string' &&
    (line.partial === undefined || typeof line.partial === 'boolean') &&
    (line.truncated === undefined || typeof line.truncated === 'boolean') &&
    (line.byteLength === undefined || isCount(line.byteLength)) &&
    (line.frames === undefined || (Array.isArray(line.frames) && line.frames.every((f) => typeof f === 'string'))) &&
    (line.frameTs === undefined || (Array.isArray(line.frameTs) && line.frameTs.every(isTime)))
  );
}

function isCount(n: unknown): boolean {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function isTime(n: unknown): boolean {
  return isCount(n) && (n as number) <= MAX_TIME_MS;
}
