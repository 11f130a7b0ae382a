import { noticeTo, type CommandIo } from '../io.js';
import { openSink, trackingFailed, trackingMetrics, type OpenedSink, type TrackingOptions } from './tracking.js';

/** Options of `exec-track record` as commander parses them (main.ts). */
export interface RecordCommandOptions extends TrackingOptions {
  name?: string;
}

/**
 * `exec-track record` (issue 12, docs/clients.md): the sidecar a client in any language starts as a
 * child process and feeds newline-delimited JSON events on stdin; answers on stdout. Same sinks and
 * options as `run`. Resolves with the exit code: 0 once the outcome is recorded (whatever it is),
 * 125 when tracking could not start. Ignores SIGINT: Ctrl-C is for the client, whose end closes stdin.
 * @throws ExecTrackError USAGE for invalid options or a first event that is not `start` (exit 2).
 */
export async function recordCommand(opts: RecordCommandOptions, io: CommandIo): Promise<number> {
  const { env } = io;
  const notice = noticeTo(io.stderr);
  const metrics = trackingMetrics(opts);
  process.on('SIGINT', () => undefined);
  io.stdout.on('error', () => undefined);
  io.stderr.on('error', () => undefined);
  let opened: OpenedSink | undefined;
  try {
    const { recordExecution } = await import('../../runner/record.js');
    opened = await openSink(opts, io);
    await recordExecution(
      io.stdin,
      {
        session: opts.session,
        name: opts.name,
        metrics,
        env,
        notice,
        reply: (reply) => void io.stdout.write(`${JSON.stringify(reply)}\n`, () => undefined),
      },
      opened.sink,
    );
    return 0;
  } catch (error) {
    // stop reading: the process exits now, and the client sees its stdout end (and its writes fail)
    io.stdin.destroy();
    return trackingFailed(error, 'nothing was recorded', notice);
  } finally {
    await opened?.close();
  }
}
