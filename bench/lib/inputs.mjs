import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

/**
 * The benchmark inputs. Every line carries its own index, so the checks can tell each stored line
 * from every other one. `sql` is the same format as a SQLite printf over `seq`, used by verify.mjs.
 */
export const FORMATS = {
  /** ~33-byte plain log line, no metrics in it (B2, B3, B5, B6, B7). */
  plain: { js: (i) => `12:00:00.000 INFO job ${String(i).padStart(7, '0')} ok`, sql: "printf('12:00:00.000 INFO job %07d ok', seq)" },
  /** three metric points per line (B3m). */
  metrics: {
    js: (i) => `step=${i} loss=0.${String(i % 1_000_000).padStart(6, '0')} acc=1.${String(i % 1_000_000).padStart(6, '0')}`,
    sql: "printf('step=%d loss=0.%06d acc=1.%06d', seq, seq % 1000000, seq % 1000000)",
  },
};

/** Writes `lines` lines of `format` to `dir/name` and resolves with the path. */
export async function writeLines(dir, name, format, lines) {
  const path = join(dir, name);
  const out = createWriteStream(path);
  const chunk = 10_000;
  for (let start = 0; start < lines; start += chunk) {
    let text = '';
    for (let i = start; i < Math.min(lines, start + chunk); i++) text += FORMATS[format].js(i) + '\n';
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
}

/**
 * A python3 program printing `argv[1]` plain lines with print(), timing only its own loop, and
 * writing the loop's seconds to the file `argv[2]` (B1).
 */
export function writeLoopScript(dir) {
  const path = join(dir, 'loop.py');
  writeFileSync(
    path,
    [
      'import sys, time',
      'n = int(sys.argv[1])',
      't = time.perf_counter()',
      'for i in range(n):',
      "    print('12:00:00.000 INFO job %07d ok' % i)",
      'sys.stdout.flush()',
      'elapsed = time.perf_counter() - t',
      "open(sys.argv[2], 'w').write(repr(elapsed))",
      '',
    ].join('\n'),
  );
  return path;
}

/**
 * A python3 program printing `argv[2]` plain lines (as {@link writeLoopScript}) in one block:
 * `argv[1]` = `bare`, or `tracked` inside `with exec_track.execution(...)` (exit_wait `argv[4]` s).
 * It writes the block's wall seconds (entering and leaving the `with` included, the import not) and
 * the CPU seconds the process spent in it (all its threads) to the file `argv[3]` (P1, P1c).
 */
export function writeBlockScript(dir) {
  const path = join(dir, 'block.py');
  writeFileSync(
    path,
    [
      'import sys, time',
      'mode, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]',
      'if mode == "tracked":',
      '    import exec_track',
      '    block = exec_track.execution("bench-block", exit_wait=float(sys.argv[4]))',
      'else:',
      '    import contextlib',
      '    block = contextlib.nullcontext()',
      't, cpu = time.perf_counter(), time.process_time()',
      'with block:',
      '    for i in range(n):',
      "        print('12:00:00.000 INFO job %07d ok' % i)",
      '    sys.stdout.flush()',
      'elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu',
      "open(out, 'w').write('%r %r' % (elapsed, cpu))",
      '',
    ].join('\n'),
  );
  return path;
}
