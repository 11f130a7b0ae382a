import type { ReportLine } from '../protocol/types.js';

/** node:zlib, loaded at the first chunk: a `run` whose command prints nothing never pays for it (~3 ms of CPU, B4). */
const zlib = (): typeof import('node:zlib') => process.getBuiltinModule('node:zlib');

const STDERR = 1;
const PARTIAL = 2;
const TRUNCATED = 4;

/** One `report_chunks` row (see migrations.ts for the layout). */
export interface ReportChunk {
  first_seq: number;
  last_seq: number;
  seq_ts: Buffer;
  flags: Buffer;
  /** The JSON array of texts, raw-deflated (a string in chunks written before compression). */
  texts: string | Buffer;
  byte_lengths: string | null;
}

/** Text per chunk before a batch is split (characters): keeps a batch of 1 MiB lines decodable in one go. */
const CHUNK_CHARS = 4 * 1024 * 1024;

/** The chunk rows of a batch of lines (in seq order): one, or more when their texts pass {@link CHUNK_CHARS}; none for no lines. */
export function encodeChunks(lines: readonly ReportLine[]): ReportChunk[] {
  const chunks: ReportChunk[] = [];
  let from = 0;
  let chars = 0;
  for (let i = 0; i < lines.length; i++) {
    chars += lines[i]!.text.length;
    if (chars < CHUNK_CHARS && i + 1 < lines.length) continue;
    chunks.push(encodeChunk(lines.slice(from, i + 1)));
    from = i + 1;
    chars = 0;
  }
  return chunks;
}

/**
 * Encodes lines (in seq order, at least one) as a chunk row. `seq_ts` takes one of two layouts,
 * told apart by length (16·n bytes vs 8 + 4·n):
 * - compact, when the seqs run first_seq..last_seq without a gap and every ts is a whole number of
 *   ms within ±24 days of the first: float64 first ts, then an int32 ts offset per line (issue 6:
 *   a quarter of the bytes, and SQLite's write time follows the bytes);
 * - pairs otherwise: float64 (seq, ts) per line.
 * `texts`, the JSON array of the texts, is raw-deflated at level 1 (RFC 1951, node:zlib): logs
 * shrink ~5-15x, and writing 1 000 000 lines cost ~0.4 s less in SQLite than the ~0.1-0.3 s deflate costs.
 */
export function encodeChunk(lines: readonly ReportLine[]): ReportChunk {
  const flags = Buffer.allocUnsafe(lines.length);
  const texts: string[] = new Array<string>(lines.length);
  let byteLengths: (number | null)[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    flags[i] = (l.stream === 'stderr' ? STDERR : 0) | (l.partial ? PARTIAL : 0) | (l.truncated ? TRUNCATED : 0);
    texts[i] = l.text;
    if (l.truncated && l.byteLength !== undefined) (byteLengths ??= new Array<number | null>(lines.length).fill(null))[i] = l.byteLength;
  }
  const firstSeq = lines[0]!.seq;
  const lastSeq = lines[lines.length - 1]!.seq;
  return {
    first_seq: firstSeq,
    last_seq: lastSeq,
    seq_ts: (lastSeq - firstSeq + 1 === lines.length && compactTimes(lines)) || seqTsPairs(lines),
    flags,
    texts: zlib().deflateRawSync(JSON.stringify(texts), { level: 1 }),
    byte_lengths: byteLengths ? JSON.stringify(byteLengths) : null,
  };
}

/** The compact `seq_ts` layout, or null when a ts does not fit it. */
function compactTimes(lines: readonly ReportLine[]): Buffer | null {
  const bytes = new ArrayBuffer(8 + 4 * lines.length);
  const first = lines[0]!.ts;
  new Float64Array(bytes, 0, 1)[0] = first;
  const offsets = new Int32Array(bytes, 8, lines.length);
  for (let i = 0; i < lines.length; i++) {
    const offset = lines[i]!.ts - first;
    if (!Number.isInteger(offset) || offset !== (offset | 0)) return null;
    offsets[i] = offset;
  }
  return Buffer.from(bytes);
}

function seqTsPairs(lines: readonly ReportLine[]): Buffer {
  const seqTs = new Float64Array(lines.length * 2);
  for (let i = 0; i < lines.length; i++) {
    seqTs[2 * i] = lines[i]!.seq;
    seqTs[2 * i + 1] = lines[i]!.ts;
  }
  return Buffer.from(seqTs.buffer, seqTs.byteOffset, seqTs.byteLength);
}

/** Decodes the lines of a chunk for which `visible(seq)` holds, appending them to `out` in seq order. */
export function decodeChunk(chunk: ReportChunk, visible: (seq: number) => boolean, out: ReportLine[]): void {
  const texts = JSON.parse(typeof chunk.texts === 'string' ? chunk.texts : zlib().inflateRawSync(chunk.texts).toString()) as string[];
  const { seq: seqAt, ts: tsAt } = seqTsReader(chunk, texts.length);
  const byteLengths = chunk.byte_lengths === null ? undefined : (JSON.parse(chunk.byte_lengths) as (number | null)[]);
  for (let i = 0; i < texts.length; i++) {
    const seq = seqAt(i);
    if (!visible(seq)) continue;
    const flags = chunk.flags[i]!;
    const line: ReportLine = { seq, ts: tsAt(i), stream: flags & STDERR ? 'stderr' : 'stdout', text: texts[i]! };
    if (flags & PARTIAL) line.partial = true;
    if (flags & TRUNCATED) {
      line.truncated = true;
      const length = byteLengths?.[i];
      if (length !== undefined && length !== null) line.byteLength = length;
    }
    out.push(line);
  }
}

/** Seq and ts of line i of a chunk of `count` lines, in either `seq_ts` layout (see {@link encodeChunk}). */
function seqTsReader(chunk: ReportChunk, count: number): { seq: (i: number) => number; ts: (i: number) => number } {
  // Copy: typed-array views need alignment, which a blob from SQLite need not have.
  const bytes = new Uint8Array(chunk.seq_ts).buffer;
  if (bytes.byteLength === 16 * count) {
    const pairs = new Float64Array(bytes);
    return { seq: (i) => pairs[2 * i]!, ts: (i) => pairs[2 * i + 1]! };
  }
  const first = new Float64Array(bytes, 0, 1)[0]!;
  const offsets = new Int32Array(bytes, 8, count);
  return { seq: (i) => chunk.first_seq + i, ts: (i) => first + offsets[i]! };
}

/** Puts the quota marker at its seq position and keeps `limit` lines from the `keep` side. */
export function withMarker(lines: ReportLine[], marker: ReportLine | undefined, limit: number | undefined, keep: 'start' | 'end'): ReportLine[] {
  if (!marker) return lines;
  const at = lines.findIndex((l) => l.seq > marker.seq);
  lines.splice(at === -1 ? lines.length : at, 0, marker);
  if (limit === undefined || lines.length <= limit) return lines;
  return keep === 'start' ? lines.slice(0, limit) : lines.slice(lines.length - limit);
}
