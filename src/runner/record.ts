import { hostname } from 'node:os';
import type { Readable } from 'node:stream';
import {
  SIDECAR_PROTOCOL,
  outputEvent,
  sidecarEvent,
  type FinishEvent,
  type OutputEvent,
  type SidecarEvent,
  type SidecarReply,
  type StartEvent,
} from '../protocol/sidecar.js';
import type { MetricsConfig, Outcome } from '../protocol/types.js';
import { ExecTrackError } from '../errors.js';
import { Capture } from './capture.js';
import { readContext } from './context.js';
import { createRedactor } from './redact.js';
import { FrameSplitter, type Frame } from './sidecar-frames.js';
import type { Sink } from '../sink/sink.js';

/** Options of {@link recordExecution}, defaults already merged by the CLI. */
export interface RecordOptions {
  /** `--session`, which wins over the `start` event's. */
  session?: string;
  /** `--name`, which wins over the `start` event's. */
  name?: string;
  metrics: MetricsConfig;
  /** The sidecar's environment: its secret-looking values are redacted as for `run`. */
  env: NodeJS.ProcessEnv;
  /** Writes one reply to the client (a JSON line on stdout). */
  reply: (reply: SidecarReply) => void;
  /** One-line notices for the user (`exec-track: ` on stderr). */
  notice: (message: string) => void;
}

/** The reason recorded when stdin closes without a `finish` event. */
export const CLIENT_VANISHED = 'the client vanished: its events ended without finish';

/**
 * The sidecar (issue 12, docs/clients.md): reads the client's newline-delimited JSON events (and
 * the raw bytes after each `output` event, {@link FrameSplitter}) from `input` and records them on
 * `sink` as `run` records a command — `line` and `output` through the same {@link Capture}
 * (splitting, `\r` collapse, redaction, metric parsing at ingest), `metrics` events
 * as points records beside them. The first event must be `start`; `finish` ends the execution
 * (`Passive` or `Execution crushed`), the end of `input` without it records `Exec crushed`,
 * {@link CLIENT_VANISHED}. A malformed later event is reported in one notice and skipped: the
 * execution keeps what it had. Reading pauses while the sink asks for backpressure.
 * @throws ExecTrackError USAGE when the first event is not a valid `start` (nothing is recorded).
 */
export async function recordExecution(input: Readable, options: RecordOptions, sink: Sink): Promise<void> {
  const batches = frameBatches(input);
  let batch = (await batches.next()).value ?? [];
  const start = batch.length > 0 ? parseEvent(batch[0]!) : 'missing';
  if (typeof start === 'string' || start.type !== 'start') {
    const problem = typeof start === 'string' ? `it is ${start}` : `it is "${start.type}"`;
    throw new ExecTrackError('USAGE', `The first event must be {"type":"start","protocol":${SIDECAR_PROTOCOL},…}, but ${problem}; see docs/clients.md.`);
  }
  const argv = commandOf(start, options.name);
  const redactor = createRedactor(argv, options.env);
  const opened = await sink.open({
    session: options.session ?? start.session ?? undefined,
    name: options.name ?? start.name ?? null,
    command: redactor.argv,
    cwd: process.cwd(),
    host: hostname(),
    pid: process.pid,
    context: await readContext(process.cwd(), options.env),
    startedAt: start.ts ?? Date.now(),
    metrics: options.metrics,
  });
  options.reply({ type: 'started', ...opened });
  const capture = new Capture(sink, redactor.text, options.notice);
  let finish: FinishEvent | undefined;
  let n = 1;
  let i = 1;
  // events are handled a whole batch at a time, synchronously: the sinks batch what arrives together
  while (!finish) {
    for (; i < batch.length && !finish; i++) {
      n++;
      const event = parseEvent(batch[i]!);
      if (typeof event === 'string') options.notice(`event ${n} is ${event}; it was ignored, the execution keeps what it had (docs/clients.md).`);
      else if (event.type === 'finish') finish = event;
      else handle(event, capture, n, options.notice);
    }
    const wait = sink.backpressure?.();
    if (wait) await wait;
    if (finish) break;
    const next = await batches.next();
    if (next.done) break;
    batch = next.value;
    i = 0;
  }
  capture.end();
  const outcome = outcomeOf(finish);
  try {
    await sink.finish(outcome);
  } catch (error) {
    options.notice(`could not record the outcome (${(error as Error).message}).`);
  }
  options.reply({ type: 'finished', state: outcome.state });
}

/** An event as handled: an `output` one with its bytes. */
type Handled = Exclude<SidecarEvent, OutputEvent> | (OutputEvent & { data: Buffer });

function handle(event: Exclude<Handled, FinishEvent>, capture: Capture, n: number, notice: (message: string) => void): void {
  const ts = event.ts ?? Date.now();
  if (event.type === 'output') capture.push(event.stream, event.data, ts);
  else if (event.type === 'line') capture.push(event.stream, Buffer.from(`${event.text}\n`), ts);
  else if (event.type === 'metrics')
    capture.points(
      Object.entries(event.values).map(([key, value]) => ({ key, value, step: event.step, ts })),
      ts,
    );
  else notice(`event ${n} is a second start; it was ignored, the execution keeps what it had.`);
}

/** Reading pauses while this many frames, or this many bytes of them, wait to be handled. */
const MAX_WAITING_FRAMES = 10_000;
const MAX_WAITING_BYTES = 16 * 2 ** 20;

/** The frames of `input` ({@link FrameSplitter}), handed over in batches of what arrived together. */
async function* frameBatches(input: Readable): AsyncGenerator<Frame[], void> {
  const splitter = new FrameSplitter();
  let waiting: Frame[] = [];
  let waitingBytes = 0;
  let ended = false;
  let wake: (() => void) | undefined;
  input.on('data', (chunk: Buffer) => {
    waiting.push(...splitter.push(chunk));
    waitingBytes += chunk.length;
    if (waiting.length >= MAX_WAITING_FRAMES || waitingBytes >= MAX_WAITING_BYTES) input.pause();
    wake?.();
  });
  const close = () => {
    if (ended) return;
    ended = true;
    waiting.push(...splitter.end());
    wake?.();
  };
  input.on('end', close);
  input.on('close', close);
  input.on('error', close);
  for (;;) {
    // a chunk inside a long output event completes no frame: wait for one, or the end
    while (waiting.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    if (waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    waitingBytes = 0;
    input.resume();
    yield batch;
  }
}

/** What the report shows as the command: the client's `command`, then its `description`; else the name. */
function commandOf(start: StartEvent, name: string | undefined): string[] {
  const argv = [...(start.command ?? []), ...(start.description ? [start.description] : [])];
  return argv.length > 0 ? argv : [name ?? start.name ?? 'block'];
}

function outcomeOf(finish: FinishEvent | undefined): Outcome {
  const endedAt = finish?.ts ?? Date.now();
  if (!finish) return { state: 'Exec crushed', exitCode: null, signal: null, reason: CLIENT_VANISHED, endedAt };
  if (finish.ok) return { state: 'Passive', exitCode: finish.exitCode ?? null, signal: null, reason: null, endedAt };
  return {
    state: 'Execution crushed',
    exitCode: finish.exitCode ?? null,
    signal: finish.signal ?? null,
    reason: finish.reason ?? 'the client reported a failure',
    endedAt,
  };
}

/** Validates one frame; a malformed one gives a string saying what is wrong with it. */
function parseEvent(frame: Frame): Handled | string {
  if (frame.kind === 'invalid') return 'not JSON';
  const parsed = frame.kind === 'output' ? outputEvent.safeParse(frame.value) : sidecarEvent.safeParse(frame.value);
  if (parsed.success && frame.kind === 'output') return { ...(parsed.data as OutputEvent), data: frame.data };
  // an `output` event not followed by its bytes (FrameSplitter) cannot be handled
  if (parsed.success && parsed.data.type === 'output') return 'not valid: bytes: not followed by its bytes';
  if (parsed.success) return parsed.data as Handled;
  const first = parsed.error.issues[0]!;
  return `not valid: ${first.path.length > 0 ? `${first.path.join('.')}: ` : ''}${first.message}`;
}
