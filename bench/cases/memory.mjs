import { createServer } from 'node:net';
import { BIN, cliEnv, timed } from '../lib/proc.mjs';
import { freshDir, progress, repeat } from '../lib/context.mjs';
import { makeRow } from '../lib/stats.mjs';
import { verifySpool } from '../lib/verify.mjs';

/** A localhost port nothing listens on (bound, then released). */
async function closedPort() {
  const server = createServer();
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/** B7: the wrapper's peak RSS (VmHWM) for `run --server <closed port> -- cat` of B2's file; every line must be in the spool. */
export async function b7(ctx) {
  const { reps, lines } = ctx.size;
  progress(`B7: wrapper peak RSS, ${lines} lines, server down ×${reps}`);
  const r = await repeat(reps, async () => {
    const home = freshDir(ctx.root, 'b7');
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await timed(process.execPath, [BIN, 'run', '--quiet', '--server', url, '--', 'cat', ctx.inputs.plain], { env: cliEnv(home), pollRss: true });
    return { ms: run.ms, value: run.peakMb, error: run.peakMb === null ? 'VmHWM never read' : await verifySpool(home, lines) };
  });
  return makeRow({ id: 'B7', what: `wrapper peak RSS, ${lines} lines, server down`, unit: 'MB', target: 150, samples: r.samples, ok: !r.error, note: r.error });
}
