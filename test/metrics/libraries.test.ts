import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLast } from '../e2e/run-helpers.js';
import { FIXTURES, runCli, tempHome } from '../helpers/cli.js';
import { compare, type Comparison, type TruthPoint } from './truth.js';

// Issue 14: real libraries, run through `exec-track run`, their points compared with the library's
// own record of them. Debian's packages (.ci/run) are seen by /usr/bin/python3 only.
const PYTHON = '/usr/bin/python3';
const SCRIPTS = ['sklearn_mlp', 'sklearn_gbm', 'sklearn_hgb', 'xgb_train', 'xgb_cv', 'xgb_rank', 'torch_quickstart', 'torch_mnist_style', 'tqdm_bars'];
const DIR = join(FIXTURES, 'libraries');

const home = tempHome();
const results = new Map<string, Comparison>();

beforeAll(() => {
  // fails at once, naming the missing module, when .ci/run's install did not happen
  execFileSync(PYTHON, ['-c', 'import sklearn, xgboost, torch, tqdm']);
}, 180_000);
afterAll(() => home.cleanup());

describe('metrics from real libraries (issue 14)', () => {
  it.each(SCRIPTS)('stores what %s printed with its key, step and value, and nothing else', { timeout: 120_000 }, async (script) => {
    const truthFile = join(home.dir, `${script}.json`);
    // resource samples (sys/…) are no printed points: off, so a slow machine's 10 s sample cannot count as wrong
    const run = await runCli(['run', '-q', '--sample', 'off', '--', PYTHON, join(DIR, `${script}.py`), truthFile], {
      home: home.dir,
      cwd: DIR,
      timeoutMs: 110_000,
    });
    expect(run.exitCode, run.err).toBe(0);
    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as TruthPoint[];
    const stored = await readLast(home.dir);
    const result = compare(stored.metrics, truth);
    results.set(script, result);
    expect(result.wrong).toEqual([]);
    expect(result.printed).toBeGreaterThan(0);
    expect(result.exact / result.printed, `${script}: ${result.exact} of ${result.printed}`).toBeGreaterThanOrEqual(0.95);
  });

  it('stores at least 95 % of the printed points exactly across the libraries', () => {
    expect(results.size).toBe(SCRIPTS.length);
    let printed = 0;
    let exact = 0;
    for (const [script, r] of results) {
      printed += r.printed;
      exact += r.exact;
      console.log(`${script}: printed ${r.printed}, stored exactly ${r.exact}`);
    }
    expect(exact / printed).toBeGreaterThanOrEqual(0.95);
  });
});
