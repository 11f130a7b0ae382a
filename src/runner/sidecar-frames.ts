import { MAX_OUTPUT_BYTES } from '../protocol/sidecar.js';

/**
 * What the sidecar's input is cut into (docs/clients.md, "The sidecar protocol"): one JSON value a
 * line, except that an `output` event's line is followed by exactly its `bytes` raw bytes, which
 * belong to it and are not lines of the protocol.
 */
export type Frame =
  /** A JSON line, parsed (not yet validated). */
  | { kind: 'event'; value: unknown }
  /** A line that is not JSON. */
  | { kind: 'invalid' }
  /** An `output` event (as parsed) with the raw bytes that followed it. */
  | { kind: 'output'; value: Record<string, unknown>; data: Buffer };

/**
 * Cuts the sidecar's input into {@link Frame}s as it arrives in chunks. Empty lines are skipped;
 * `\r\n` ends a line too. An `output` line whose `bytes` is not an integer 0…{@link MAX_OUTPUT_BYTES}
 * is handed on as an event (validation reports it); the bytes after it are then read as lines.
 */
export class FrameSplitter {
  #pending: Buffer[] = [];
  #raw: { value: Record<string, unknown>; need: number; parts: Buffer[] } | undefined;

  /** The frames completed by `chunk`, in order. */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let rest = chunk;
    while (rest.length > 0) {
      if (this.#raw) {
        const take = Math.min(this.#raw.need, rest.length);
        this.#raw.parts.push(rest.subarray(0, take));
        this.#raw.need -= take;
        rest = rest.subarray(take);
        if (this.#raw.need === 0) frames.push(this.#takeRaw());
        continue;
      }
      const newline = rest.indexOf(10);
      if (newline < 0) {
        this.#pending.push(rest);
        break;
      }
      const line = this.#pending.length > 0 ? Buffer.concat([...this.#pending, rest.subarray(0, newline)]) : rest.subarray(0, newline);
      this.#pending = [];
      rest = rest.subarray(newline + 1);
      this.#line(line, frames);
    }
    return frames;
  }

  /**
   * The frames still held at the end of the input: a last line without its newline, or an `output`
   * cut short (what arrived of it). A last line that is not JSON is dropped without a word: it is an
   * event cut short by the client's death (its process exited in the middle of a write), which the
   * missing `finish` already records.
   */
  end(): Frame[] {
    const frames: Frame[] = [];
    if (this.#raw) frames.push(this.#takeRaw());
    else if (this.#pending.length > 0) this.#line(Buffer.concat(this.#pending), frames);
    this.#pending = [];
    return frames.filter((frame) => frame.kind !== 'invalid');
  }

  #line(line: Buffer, frames: Frame[]): void {
    const text = line.toString('utf8');
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      frames.push({ kind: 'invalid' });
      return;
    }
    const bytes = isObject(value) && value.type === 'output' ? value.bytes : undefined;
    if (isObject(value) && Number.isInteger(bytes) && (bytes as number) >= 0 && (bytes as number) <= MAX_OUTPUT_BYTES) {
      this.#raw = { value, need: bytes as number, parts: [] };
      if (bytes === 0) frames.push(this.#takeRaw());
      return;
    }
    frames.push({ kind: 'event', value });
  }

  #takeRaw(): Frame {
    const { value, parts } = this.#raw!;
    this.#raw = undefined;
    return { kind: 'output', value, data: parts.length === 1 ? parts[0]! : Buffer.concat(parts) };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
