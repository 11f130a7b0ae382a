import { stripVTControlCharacters } from 'node:util';
import type { ReportLine } from '../protocol/types.js';

/** A line as the splitter emits it; the runner adds `seq` and `stream`. */
export type SplitLine = Omit<ReportLine, 'seq' | 'stream'>;

/** Limits of a {@link LineSplitter}; the defaults follow DESIGN §5. */
export interface LineLimits {
  /** Bytes of a line kept before it is cut and flagged `truncated` (default 1 MiB). */
  maxLineBytes: number;
  /**
   * Redraw frames held per line for metric parsing (default 1000). When a line is redrawn more often,
   * every `maxFrames` redraws are emitted as a line of their own (the screen as it was then, with the
   * frames before it), so every frame reaches the metric parser and memory stays bounded.
   */
  maxFrames: number;
  /** Longer redraw frames are not kept as frames (default 8 KiB), so frames stay small. */
  maxFrameBytes: number;
}

const DEFAULT_LIMITS: LineLimits = { maxLineBytes: 1024 * 1024, maxFrames: 1000, maxFrameBytes: 8 * 1024 };
const LF = 0x0a;
const CR = 0x0d;
const ESC = '\x1b';
const CSI = '\x9b';
const decoder = new TextDecoder('utf-8', { fatal: false });

/** One `\r` segment of a line: its cleaned text, size, and when its last bytes were read. */
interface Segment {
  text: string;
  truncated: boolean;
  byteLength: number;
  ts: number;
}

/**
 * Turns one stream's bytes, in any chunking, into report lines (DESIGN §5):
 * - a line ends at `\n`, found on bytes, so a multi-byte character split between reads stays whole;
 *   each line is decoded as UTF-8 with U+FFFD replacement (never throws);
 * - `\r` starts a redraw: the line's text is its last non-empty `\r` segment (what a terminal
 *   finally shows; this also drops the `\r` of `\r\n`), earlier non-empty segments go to `frames`;
 *   a line redrawn more than `maxFrames` times also emits a snapshot line every `maxFrames` redraws;
 * - ANSI/OSC escape sequences are removed from text and frames;
 * - a segment longer than `maxLineBytes` is cut at a character boundary, flagged `truncated`, and
 *   `byteLength` gives its original size; memory per stream stays below `maxLineBytes` plus frames;
 * - {@link end} emits a final line without newline flagged `partial`.
 *
 * `ts` of a line is the read time of the chunk that completed it (ms since epoch UTC); `frameTs[i]`
 * the read time of the last bytes of `frames[i]`, so metrics read from redraws keep their own times.
 */
export class LineSplitter {
  readonly #emit: (line: SplitLine) => void;
  readonly #limits: LineLimits;
  /** Kept bytes of the current `\r` segment (at most maxLineBytes). */
  #parts: Buffer[] = [];
  #keptBytes = 0;
  /** All bytes of the current segment, kept or not. */
  #segmentBytes = 0;
  /** Closed `\r` segments of the current line, cleaned, and when each was read. */
  #frames: string[] = [];
  #frameTs: number[] = [];
  #lastFrame: Segment | undefined;
  /** Read time of the last bytes of the current segment. */
  #segmentTs = 0;
  #lineStarted = false;
  #lastTs = 0;

  constructor(emit: (line: SplitLine) => void, limits: Partial<LineLimits> = {}) {
    this.#emit = emit;
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Feeds bytes read at `ts` (ms since epoch UTC). */
  push(chunk: Uint8Array, ts: number = Date.now()): void {
    this.#lastTs = ts;
    let pos = 0;
    let nextCr = chunk.indexOf(CR);
    let plainTried = false;
    while (pos < chunk.length) {
      if (nextCr === -1 && !this.#lineStarted && !plainTried) {
        // once the line carried over from the last read has ended
        plainTried = true;
        pos += this.#pushPlainLines(chunk.subarray(pos), ts);
        continue;
      }
      const nl = chunk.indexOf(LF, pos);
      const end = nl === -1 ? chunk.length : nl;
      // nextCr is cached so a chunk without `\r` is scanned for it once, not once per line
      while (nextCr !== -1 && nextCr < end) {
        this.#append(chunk, pos, nextCr);
        this.#closeSegment();
        pos = nextCr + 1;
        nextCr = chunk.indexOf(CR, pos);
      }
      if (nl !== -1 && !this.#lineStarted && nl - pos <= this.#limits.maxLineBytes) {
        // common case: a whole plain line inside one chunk, decoded in place without copying
        this.#emit({ ts, text: clean(decoder.decode(chunk.subarray(pos, nl))) });
        pos = nl + 1;
        continue;
      }
      this.#append(chunk, pos, end);
      if (nl === -1) break;
      this.#endLine(ts, false);
      pos = nl + 1;
    }
  }

  /**
   * Fast path for the rest of a chunk without `\r`, from the start of a line: its whole lines are decoded in one go and
   * split on `\n` (the common case of plain output, ~2x cheaper than a decode per line; issue 6 B2).
   * The same text as line by line: `\n` never occurs inside a UTF-8 sequence, and the decoder
   * replaces an incomplete sequence before it exactly as at a line's end. Returns where the rest starts.
   */
  #pushPlainLines(chunk: Uint8Array, ts: number): number {
    const last = chunk.lastIndexOf(LF);
    if (last === -1 || last > this.#limits.maxLineBytes) return 0;
    const text = decoder.decode(chunk.subarray(0, last));
    const escapes = hasEscapes(text);
    for (const line of text.split('\n')) this.#emit({ ts, text: escapes ? clean(line) : line });
    return last + 1;
  }

  /** Flushes a final line that had no trailing newline (flagged `partial`). */
  end(ts: number = this.#lastTs || Date.now()): void {
    if (this.#lineStarted) this.#endLine(ts, true);
  }

  #append(chunk: Uint8Array, from: number, to: number): void {
    this.#lineStarted = true;
    const length = to - from;
    if (length === 0) return;
    this.#segmentTs = this.#lastTs;
    this.#segmentBytes += length;
    const room = this.#limits.maxLineBytes - this.#keptBytes;
    if (room <= 0) return;
    const take = Math.min(room, length);
    this.#parts.push(Buffer.from(chunk.buffer, chunk.byteOffset + from, take));
    this.#keptBytes += take;
  }

  #takeSegment(): Segment {
    const kept = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.#keptBytes);
    const truncated = this.#segmentBytes > this.#keptBytes;
    const text = clean(decoder.decode(truncated ? kept.subarray(0, charBoundary(kept)) : kept));
    const segment = { text, truncated, byteLength: this.#segmentBytes, ts: this.#segmentTs };
    this.#parts = [];
    this.#keptBytes = 0;
    this.#segmentBytes = 0;
    return segment;
  }

  #closeSegment(): void {
    const segment = this.#takeSegment();
    if (segment.text === '') return;
    if (this.#lastFrame) this.#keepFrame(this.#lastFrame);
    this.#lastFrame = segment;
  }

  #keepFrame(frame: Segment): void {
    if (frame.byteLength > this.#limits.maxFrameBytes) return;
    this.#frames.push(frame.text);
    this.#frameTs.push(frame.ts);
    if (this.#frames.length >= this.#limits.maxFrames) this.#emitRedraws();
  }

  /**
   * A line redrawn `maxFrames` times and still going: its newest kept frame is emitted as a line
   * (the screen at that moment), with the frames before it, so their metrics are read now rather than
   * dropped or held in memory until the line ends (a progress bar may redraw for hours).
   */
  #emitRedraws(): void {
    const text = this.#frames.pop()!;
    const ts = this.#frameTs.pop()!;
    const line: SplitLine = { ts, text };
    if (this.#frames.length > 0) {
      line.frames = this.#frames;
      line.frameTs = this.#frameTs;
    }
    this.#frames = [];
    this.#frameTs = [];
    this.#emit(line);
  }

  #endLine(ts: number, partial: boolean): void {
    let segment = this.#takeSegment();
    if (segment.text === '' && this.#lastFrame) segment = this.#lastFrame;
    else if (this.#lastFrame) this.#keepFrame(this.#lastFrame);
    const line: SplitLine = { ts, text: segment.text };
    if (partial) line.partial = true;
    if (segment.truncated) {
      line.truncated = true;
      line.byteLength = segment.byteLength;
    }
    if (this.#frames.length > 0) {
      line.frames = this.#frames;
      line.frameTs = this.#frameTs;
    }
    this.#frames = [];
    this.#frameTs = [];
    this.#lastFrame = undefined;
    this.#lineStarted = false;
    this.#emit(line);
  }
}

/** Removes ANSI/OSC escape sequences (node:util), skipping the regex for plain text. */
function clean(text: string): string {
  return hasEscapes(text) ? stripVTControlCharacters(text) : text;
}

function hasEscapes(text: string): boolean {
  return text.includes(ESC) || text.includes(CSI);
}

/** Length of `bytes` without a trailing incomplete UTF-8 sequence, so a cut never splits a character. */
function charBoundary(bytes: Uint8Array): number {
  const end = bytes.length;
  let back = 0;
  // step back over at most 3 continuation bytes to the lead byte of the last character
  while (back < 3 && end - back - 1 >= 0 && (bytes[end - back - 1]! & 0xc0) === 0x80) back++;
  const lead = bytes[end - back - 1];
  if (lead === undefined || lead < 0xc0) return end;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  return back + 1 < need ? end - back - 1 : end;
}
