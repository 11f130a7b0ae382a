import type { ReportLine } from '../../protocol/types.js';

const STDERR = 1;
const PARTIAL = 2;
const TRUNCATED = 4;

/** One `report_chunks` row (see migrations.ts for the layout). */
export interface ReportChunk {
  first_seq: number;
  last_seq: number;
  seq_ts: Buffer;
  flags: Buffer;
  texts: string;
  byte_lengths: string | null;
}

/** Encodes lines (in seq order, at least one) as a chunk row. */
export function encodeChunk(lines: readonly ReportLine[]): ReportChunk {
  const seqTs = new Float64Array(lines.length * 2);
  const flags = Buffer.allocUnsafe(lines.length);
  const texts: string[] = new Array<string>(lines.length);
  let byteLengths: (number | null)[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    seqTs[2 * i] = l.seq;
    seqTs[2 * i + 1] = l.ts;
    flags[i] = (l.stream === 'stderr' ? STDERR : 0) | (l.partial ? PARTIAL : 0) | (l.truncated ? TRUNCATED : 0);
    texts[i] = l.text;
    if (l.truncated && l.byteLength !== undefined) (byteLengths ??= new Array<number | null>(lines.length).fill(null))[i] = l.byteLength;
  }
  return {
    first_seq: lines[0]!.seq,
    last_seq: lines[lines.length - 1]!.seq,
    seq_ts: Buffer.from(seqTs.buffer, seqTs.byteOffset, seqTs.byteLength),
    flags,
    texts: JSON.stringify(texts),
    byte_lengths: byteLengths ? JSON.stringify(byteLengths) : null,
  };
}

/** Decodes the lines of a chunk for which `visible(seq)` holds, appending them to `out` in seq order. */
export function decodeChunk(chunk: ReportChunk, visible: (seq: number) => boolean, out: ReportLine[]): void {
  // Copy: a Float64Array view needs 8-byte alignment, which a blob from SQLite need not have.
  const seqTs = new Float64Array(new Uint8Array(chunk.seq_ts).buffer);
  const texts = JSON.parse(chunk.texts) as string[];
  const byteLengths = chunk.byte_lengths === null ? undefined : (JSON.parse(chunk.byte_lengths) as (number | null)[]);
  for (let i = 0; i < texts.length; i++) {
    const seq = seqTs[2 * i]!;
    if (!visible(seq)) continue;
    const flags = chunk.flags[i]!;
    const line: ReportLine = { seq, ts: seqTs[2 * i + 1]!, stream: flags & STDERR ? 'stderr' : 'stdout', text: texts[i]! };
    if (flags & PARTIAL) line.partial = true;
    if (flags & TRUNCATED) {
      line.truncated = true;
      const length = byteLengths?.[i];
      if (length !== undefined && length !== null) line.byteLength = length;
    }
    out.push(line);
  }
}
