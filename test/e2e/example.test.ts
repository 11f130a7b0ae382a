import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';

const TRAIN = resolve(import.meta.dirname, '../../examples/train.py');

describe('examples/train.py under exec-track', () => {
  let home: ReturnType<typeof tempHome>;
  beforeEach(() => (home = tempHome()));
  afterEach(() => home.cleanup());

  it('records epoch metrics, a collapsed progress line per epoch and the warning, and passes', async () => {
    const run = await runCli(['run', '--quiet', '--', 'python3', TRAIN, '--epochs', '3', '--delay', '0.05'], { home: home.dir });
    expect(run.exitCode).toBe(0);
    expect(run.err).toContain('\repoch 3 [####################] 100% batch=10/10\n');

    const report = await runCli(['report', 'last', '--json', '--lines', 'all'], { home: home.dir });
    const doc = JSON.parse(report.out);
    expect(doc.execution.state).toBe('Passive');
    const stdout = doc.reports.filter((r: { stream: string }) => r.stream === 'stdout').map((r: { text: string }) => r.text);
    expect(stdout).toEqual([
      'training for 3 epochs (learning rate 0.01, batch size 32)',
      'epoch=1 loss=0.7652 acc=0.7256',
      'epoch=2 loss=0.4879 acc=0.8494',
      'epoch=3 loss=0.3111 acc=0.9174',
      'done: best accuracy 0.9174',
    ]);
    const stderr = doc.reports.filter((r: { stream: string }) => r.stream === 'stderr').map((r: { text: string }) => r.text);
    expect(stderr).toEqual([
      'epoch 1 [####################] 100% batch=10/10',
      'epoch 2 [####################] 100% batch=10/10',
      'warning: learning rate schedule is flat, consider --lr-decay',
      'epoch 3 [####################] 100% batch=10/10',
    ]);
    expect(Object.keys(doc.metrics).sort()).toEqual(['acc', 'epoch', 'loss']);
    expect(doc.metrics.loss).toEqual({ last: 0.3111, min: 0.3111, max: 0.7652, count: 3 });
  });

  it('fails halfway with exit code 1 and an error line under --fail', async () => {
    const run = await runCli(['run', '--quiet', '--', 'python3', TRAIN, '--epochs', '4', '--delay', '0.05', '--fail'], { home: home.dir });
    expect(run.exitCode).toBe(1);
    expect(run.err).toContain('error: loss became NaN at epoch 2, stopping\n');
    const doc = JSON.parse((await runCli(['report', 'last', '--json'], { home: home.dir })).out);
    expect(doc.execution).toMatchObject({ state: 'Execution crushed', exitCode: 1 });
  });
});
