import type { ExplicitPoint, ReportLine, StreamName } from '../protocol/types.js';
import type { Sink } from '../sink/sink.js';
import { LineSplitter } from './lines.js';

/**
 * Turns both output streams of one execution into report lines for the sink: one
 * {@link LineSplitter} per stream, `seq` 0, 1, 2 … across both streams in read order, text and
 * redraw frames passed through `redact` before they leave the wrapper (DESIGN §5 Secrets).
 * A failing sink never stops the command: the first failure is reported through `warn`, later lines
 * are dropped.
 */
export class Capture {
  readonly #sink: Sink;
  readonly #redact: (text: string) => string;
  readonly #warn: (message: string) => void;
  readonly #splitters: Record<StreamName, LineSplitter>;
  #seq = 0;
  #failed = false;

  constructor(sink: Sink, redact: (text: string) => string, warn: (message: string) => void) {
    this.#sink = sink;
    this.#redact = redact;
    this.#warn = warn;
    this.#splitters = { stdout: this.#splitter('stdout'), stderr: this.#splitter('stderr') };
  }

  /** Number of records (lines and points records) handed to the sink so far. */
  get lineCount(): number {
    return this.#seq;
  }

  /** Feeds a chunk read from `stream` at `ts` (ms since epoch UTC). */
  push(stream: StreamName, chunk: Buffer, ts: number): void {
    this.#splitters[stream].push(chunk, ts);
  }

  /**
   * Hands metric points sent directly (issue 12) to the sink as one points record, in seq order
   * with the lines around it. `ts` is the record's time; each point keeps its own.
   */
  points(points: ExplicitPoint[], ts: number): void {
    this.#deliver({ seq: this.#seq, ts, stream: 'stdout', text: '', points });
  }

  /** Flushes final lines without newline (stdout first, then stderr). */
  end(): void {
    this.#splitters.stdout.end();
    this.#splitters.stderr.end();
  }

  #splitter(stream: StreamName): LineSplitter {
    return new LineSplitter((line) => {
      const report: ReportLine = { seq: this.#seq, ts: line.ts, stream, text: this.#redact(line.text) };
      if (line.partial) report.partial = true;
      if (line.truncated) Object.assign(report, { truncated: true, byteLength: line.byteLength });
      if (line.frames) Object.assign(report, { frames: line.frames.map(this.#redact), frameTs: line.frameTs });
      this.#deliver(report);
    });
  }

  #deliver(report: ReportLine): void {
    if (this.#failed) return;
    try {
      this.#sink.write(report);
      this.#seq += 1;
    } catch (error) {
      this.#failed = true;
      this.#warn(`could not record output any more (${(error as Error).message}); the command keeps running.`);
    }
  }
}
