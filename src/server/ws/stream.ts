import type { RawData, WebSocket } from 'ws';
import { ExecTrackError } from '../../errors.js';
import { clientFrame, type ClientFrame } from '../../protocol/messages.js';
import type { ReportLine } from '../../protocol/types.js';
import type { ServerContext } from '../context.js';
import { parseWith, toApiError } from '../errors.js';
import { checkBatch, finish, ingest } from '../ingest.js';
import { rejectFrame, sendFrame } from './frames.js';
import type { InflightWrites } from './live.js';
import { plainLinesFrame } from './lines-frame.js';

/** A ping or frame more often than this does not touch the DB again (a touch per frame cost ~0.25 s per 1M lines, issue 6 B3). */
const TOUCH_EVERY_MS = 1000;
/** While more `lines` frames wait behind one, its ack is skipped (the next one covers it), but at most this many in a row. */
const ACK_EVERY_FRAMES = 8;

/**
 * The wrapper → server stream of one execution (docs/api.md "Stream socket"). The upgrade has
 * already checked the owner's claim key, so frames here can only write to this one execution.
 * Frames are handled strictly one after another; the first bad frame gets an `error` frame and
 * closes the socket, and nothing queued after it is stored.
 */
export function handleStream(ctx: ServerContext, inflight: InflightWrites, ws: WebSocket, executionId: string): void {
  let queue: Promise<void> = Promise.resolve();
  let failed = false;
  let lastTouch = 0;
  // frames received and not yet handled (each has its task queued), and lines frames handled since the last ack
  const inbox: Received[] = [];
  let unacked = 0;
  ctx.live.add(executionId);
  ws.on('close', () => ctx.live.delete(executionId));

  const run = (task: () => Promise<void>) => {
    queue = queue.then(async () => {
      if (failed) return;
      try {
        await task();
      } catch (error) {
        failed = true;
        const apiError = toApiError(error);
        ctx.logFault(apiError, 'internal error on a stream socket');
        await rejectFrame(ws, apiError);
      }
    });
    inflight.track(queue);
  };

  ws.on('ping', () => {
    const now = ctx.clock();
    if (now - lastTouch < TOUCH_EVERY_MS) return;
    lastTouch = now;
    run(() => ctx.store.touchExecution(executionId, now));
  });

  ws.on('message', (data: RawData) => {
    inbox.push({ data });
    run(async () => {
      // an earlier task may have gathered this frame into its batch already
      const next = inbox.shift();
      if (next !== undefined) await onFrame(parsed(next));
    });
  });

  run(async () => {
    lastTouch = ctx.clock();
    await ctx.store.touchExecution(executionId, lastTouch);
    const lastSeq = await ctx.store.lastSeq(executionId);
    await sendFrame(ws, { type: 'welcome', lastSeq });
  });

  async function onFrame(frame: ClientFrame): Promise<void> {
    const now = ctx.clock();
    const touch = now - lastTouch >= TOUCH_EVERY_MS;
    if (touch) lastTouch = now;
    if (frame.type === 'lines') {
      const gathered = gatherQueued(frame.lines);
      const lastSeq = await ingest(ctx, executionId, gathered.lines, { touch });
      unacked += gathered.frames;
      // an ack per frame was ~1 000 small writes per 1M lines on each side (issue 6, B3); the ack
      // is the highest contiguous seq stored, so a later one says all an earlier one would have
      if (inbox.length > 0 && unacked < ACK_EVERY_FRAMES) return;
      unacked = 0;
      await sendFrame(ws, { type: 'ack', lastSeq });
    } else {
      const execution = await finish(ctx, executionId, frame.outcome);
      await sendFrame(ws, { type: 'finished', state: execution.state });
    }
  }

  /**
   * `lines` followed by the lines of the `lines` frames queued right behind it, while the store
   * asks for it ({@link Store.gatherLines}) and the total stays within that: one store call (one
   * transaction) for a burst. A frame that is not a valid `lines` frame, or fails the batch checks,
   * stays queued for its own task, so what came before it is stored and acked first, as unbatched.
   */
  function gatherQueued(lines: ReportLine[]): { lines: ReportLine[]; frames: number } {
    const limit = ctx.store.gatherLines ?? 0;
    let all = lines;
    let frames = 1;
    while (limit > 0 && inbox.length > 0) {
      let next: ClientFrame;
      try {
        next = parsed(inbox[0]!);
        if (next.type !== 'lines' || all.length + next.lines.length > limit) break;
        checkBatch(ctx, next.lines);
      } catch {
        break;
      }
      inbox.shift();
      // the first frame's array is copied once, later ones appended to the copy (Array#flat is slow on long arrays)
      if (frames++ === 1) all = lines.slice();
      for (const line of next.lines) all.push(line);
    }
    return { lines: all, frames };
  }
}

/** A frame as received, and once parsed (a frame looked at for a batch is parsed once). */
interface Received {
  data: RawData;
  frame?: ClientFrame;
}

/** The frame of `received`, parsed on first use. @throws ExecTrackError `BAD_REQUEST` as {@link parseFrame} */
function parsed(received: Received): ClientFrame {
  return (received.frame ??= parseFrame(received.data));
}

function parseFrame(data: RawData): ClientFrame {
  const text = Buffer.isBuffer(data) ? data.toString() : Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data).toString();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ExecTrackError('BAD_REQUEST', 'A frame is not valid JSON; send one JSON object per frame.');
  }
  return plainLinesFrame(json) ?? parseWith(clientFrame, json, 'frame');
}
