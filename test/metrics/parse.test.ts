import { describe, expect, it } from 'vitest';
import { createMetricParser } from '../../src/metrics/parse.js';

const parse = createMetricParser({ enabled: true });

describe('createMetricParser (default grammar)', () => {
  // The issue 5 table, plus the field cases that carry metrics.
  it.each<[string, Record<string, number>, number | undefined]>([
    ['epoch=3 loss=0.25 acc=0.91', { loss: 0.25, acc: 0.91, epoch: 3 }, 3],
    ['loss: 0.4321', { loss: 0.4321 }, undefined],
    [
      '1875/1875 [==============================] - 3s 2ms/step - loss: 0.2954 - accuracy: 0.9150 - val_loss: 0.1425 - val_accuracy: 0.9571',
      { loss: 0.2954, accuracy: 0.915, val_loss: 0.1425, val_accuracy: 0.9571 },
      undefined,
    ],
    ['Epoch 2: 100%|██████████| 1563/1563 [00:12<00:00, 125.3it/s, v_num=0, train_loss=0.412]', { v_num: 0, train_loss: 0.412 }, 2],
    ['[12]\tvalidation_0-rmse:0.41234\tvalidation_1-rmse:0.45121', { 'validation_0-rmse': 0.41234, 'validation_1-rmse': 0.45121 }, 12],
    ["{'loss': 0.6931, 'learning_rate': 4.5e-05, 'epoch': 0.5}", { loss: 0.6931, learning_rate: 4.5e-5, epoch: 0.5 }, undefined],
    ['{"loss": 0.5, "step": 100}', { loss: 0.5, step: 100 }, 100],
    ['Iteration 5, loss = 0.31234567', { loss: 0.31234567 }, 5],
    ['step=1 loss=0.50', { step: 1, loss: 0.5 }, 1],
    ['train 100% loss=0.00', { loss: 0 }, undefined],
    ['caf\uFFFD \uFFFD loss=0.7', { loss: 0.7 }, undefined],
    ['step=2 after', { step: 2 }, 2],
    ['epoch=3 loss=0.25 done', { epoch: 3, loss: 0.25 }, 3],
    ['loss=0.1', { loss: 0.1 }, undefined],
    ['i=41 loss=0.5', { i: 41, loss: 0.5 }, undefined],
    ['step 10: loss: 0.5 acc: 0.9', { loss: 0.5, acc: 0.9 }, 10],
    ['epoch=1 step=500 loss=2', { epoch: 1, step: 500, loss: 2 }, 500],
    ['{"loss":0.5,"step":100}', { loss: 0.5, step: 100 }, 100],
    ['[3]\ttrain-rmse:17.59 test-error:nan', { 'train-rmse': 17.59, 'test-error': Number.NaN }, 3],
    ['Accuracy : 0.93', { Accuracy: 0.93 }, undefined],
  ])('reads %j', (line, expected, step) => {
    const points = parse(line);
    expect(Object.fromEntries(points.map((p) => [p.key, p.value]))).toEqual(expected);
    expect(points).toHaveLength(Object.keys(expected).length);
    for (const p of points) expect(p.step).toBe(step);
  });

  it.each([
    'Error: 404 Not Found',
    'Listening on 0.0.0.0:8080',
    '2026-11-30 12:00:01 INFO started',
    'took 3.2s',
    'GET /index.html?page=2 200',
    'Epoch 2/10',
    'at 12:00 run --lr=0.1',
    'version: 1.2.3',
    'time=12:00:01',
    'Listening on localhost:8080',
    'connected to redis:6379',
    'INFO: 200 OK',
    'ETA: 00:05:12',
    'Warning: 3 files changed',
    'at Object.<anonymous> (/app/x.js:10:5)',
  ])('reads nothing from %j', (line) => {
    expect(parse(line)).toEqual([]);
  });

  it.each<[string, number]>([
    ['loss=nan', Number.NaN],
    ['loss: inf', Infinity],
    ['loss=-inf', -Infinity],
    ["{'loss': NaN}", Number.NaN],
    ['{"loss": -Infinity}', -Infinity],
    ['loss=1e-3', 0.001],
    ['loss=-.5', -0.5],
  ])('keeps the special or signed value of %j', (line, value) => {
    expect(parse(line)).toEqual([{ key: 'loss', value }]);
  });

  it('reads nothing when metrics are off', () => {
    expect(createMetricParser({ enabled: false })('loss=0.5')).toEqual([]);
  });
});

describe('createMetricParser (issue 14: what real libraries print)', () => {
  const read = (line: string, context = {}) => parse(line, context).map((p) => [p.key, p.value, p.step]);

  it.each<[string, string, (string | number | undefined)[][]]>([
    ['tqdm description', 'Epoch 1 loss=0.2703:  17%|█▋ | 1/6 [00:00<00:00, 13.2it/s]', [['loss', 0.2703, 1]]],
    ['tqdm description with a colon', 'loss: 0.3913:   0%|          | 0/6 [00:00<?, ?it/s]', [['loss', 0.3913, undefined]]],
    [
      'XGBoost with @ metrics',
      '[0]\ttrain-logloss:0.52415\ttrain-error@0.7:0.51333\ttrain-auc:0.95668\teval-logloss:0.52918',
      [
        ['train-logloss', 0.52415, 0],
        ['train-error@0.7', 0.51333, 0],
        ['train-auc', 0.95668, 0],
        ['eval-logloss', 0.52918, 0],
      ],
    ],
    [
      'mean±std',
      '[0]\ttrain-logloss:0.51245+0.00601\ttest-logloss:0.52918+0.01000',
      [
        ['train-logloss', 0.51245, 0],
        ['train-logloss-std', 0.00601, 0],
        ['test-logloss', 0.52918, 0],
        ['test-logloss-std', 0.01, 0],
      ],
    ],
    [
      'mean ± std',
      'val acc: 0.91 ± 0.02',
      [
        ['val acc', 0.91, undefined],
        ['val acc-std', 0.02, undefined],
      ],
    ],
    [
      'qualifiers',
      'train loss: 0.62555, val loss: 0.64045',
      [
        ['train loss', 0.62555, undefined],
        ['val loss', 0.64045, undefined],
      ],
    ],
    [
      'a ratio and its percentage',
      'Test set: Average loss: 0.5990, Accuracy: 164/200 (82%)',
      [
        ['Average loss', 0.599, undefined],
        ['Accuracy', 0.82, undefined],
      ],
    ],
    [
      'a percentage',
      ' Accuracy: 82.0%, Avg loss: 0.599012 ',
      [
        ['Accuracy', 82, undefined],
        ['Avg loss', 0.599012, undefined],
      ],
    ],
    [
      'epoch and position',
      'Train Epoch: 1 [0/600 (0%)]\tLoss: 0.735631',
      [
        ['Train Epoch', 1, 600],
        ['Loss', 0.735631, 600],
      ],
    ],
    ['a position after the value', 'loss: 0.653568  [   50/  600]', [['loss', 0.653568, 50]]],
    ['a position prefix', '[3/12] loss: 0.5', [['loss', 0.5, 3]]],
    ['a Fortran exponent', 'loss = 6.93147D-01', [['loss', 0.693147, undefined]]],
    ['a full stop', 'lr: 1.0000e-01.', [['lr', 0.1, undefined]]],
    ['an epoch position and a step position', 'Epoch [1/2], Step [100/300], Loss: 0.5', [['Loss', 0.5, 400]]],
    [
      'a running average in parentheses',
      'loss: 0.5 (avg: 0.6)',
      [
        ['loss', 0.5, undefined],
        ['avg', 0.6, undefined],
      ],
    ],
    [
      'a list of assignments ending in ;',
      'epoch=1; loss=0.5;',
      [
        ['epoch', 1, 1],
        ['loss', 0.5, 1],
      ],
    ],
    ['a long key phrase', '\tPercent of CPU this job got: 71%', [['Percent of CPU this job got', 71, undefined]]],
    [
      'keys ending in a digit',
      'f1: 0.5839 top1: 76.1 R2: 0.97',
      [
        ['f1', 0.5839, undefined],
        ['top1', 76.1, undefined],
        ['R2', 0.97, undefined],
      ],
    ],
    ['a key ending in a digit alone', 'mAP50: 0.55', [['mAP50', 0.55, undefined]]],
    [
      'XGBoost ranking metrics with @N and @N-',
      '[0]\ttrain-ndcg@5:0.65809\ttrain-map@3-:0.30578\ttrain-pre@2:0.80000',
      [
        ['train-ndcg@5', 0.65809, 0],
        ['train-map@3-', 0.30578, 0],
        ['train-pre@2', 0.8, 0],
      ],
    ],
    [
      'HistGradientBoosting: a pair before `, in 1.4s`, and a spaced = keeps its qualifier',
      '[1/12] 1 tree, 17 leaves, max depth = 7, train loss: 0.60206, val loss: 0.60272, in 1.371s',
      [
        ['max depth', 7, 1],
        ['train loss', 0.60206, 1],
        ['val loss', 0.60272, 1],
      ],
    ],
    [
      'an epoch of epochs is no fraction',
      'Epoch: 3/3 | Train Loss: 0.6406 | Val Acc: 76.95%',
      [
        ['Epoch', 3, 3],
        ['Train Loss', 0.6406, 3],
        ['Val Acc', 76.95, 3],
      ],
    ],
    [
      'sklearn SGD',
      'Norm: 6.53, NNZs: 2, Bias: -0.360000, T: 100, Avg. loss: 0.281700',
      [
        ['Norm', 6.53, undefined],
        ['NNZs', 2, undefined],
        ['Bias', -0.36, undefined],
        ['T', 100, undefined],
        ['Avg. loss', 0.2817, undefined],
      ],
    ],
  ])('reads %s', (_, line, expected) => {
    expect(read(line)).toEqual(expected);
  });

  it.each([
    '    6 |     char c = 300;',
    '      |              ^~~',
    'remote: Enumerating objects: 50, done.',
    'remote: Counting objects: 100% (15/15), done.',
    '[Parallel(n_jobs=1)]: Done 4 out of 4 | elapsed: 0.0s finished',
    '[    0.160796] SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=2, Nodes=1',
    'cpu MHz\t\t: 2995.196',
    'HugePages_Total:       0',
    'SigQ:\t1/96362',
    'int unused = 5;',
    'version: 1.2.3.',
    'rchar: 6976',
    'read_bytes: 0',
    'se.exec_start                                :       8732729.618635',
    'uid=0(root) gid=0(root) groups=0(root)',
    'rw,size=12334172k,nr_inodes=3083543,mode=755',
    'BogoMIPS:                                4191.98',
    'CPU max MHz:\t3000.0000',
    'we measured what the whole of this job got: 12',
  ])('reads nothing from the ordinary %j', (line) => {
    expect(parse(line)).toEqual([]);
  });

  it('counts a position within an epoch only: a carried step key is no epoch', () => {
    const context = {};
    expect(read('step: 100, loss: 0.5', context)).toEqual([
      ['step', 100, 100],
      ['loss', 0.5, 100],
    ]);
    expect(read('[5/100] loss: 0.42', context)).toEqual([['loss', 0.42, 5]]);
    expect(read('Epoch 3', context)).toEqual([]);
    expect(read('[5/100] loss: 0.41', context)).toEqual([['loss', 0.41, 305]]);
    // a step key on the line wins over a position (a Detectron2 timestamp `[01/01 …` is no position)
    expect(read('[3/10] step: 19, loss: 0.5', context)).toEqual([
      ['step', 19, 19],
      ['loss', 0.5, 19],
    ]);
    expect(read('[01/01 12:00:00 d2.utils.events]:  eta: 0:01:02  iter: 19  total_loss: 1.234', {})).toEqual([
      ['iter', 19, 19],
      ['total_loss', 1.234, 19],
    ]);
  });

  it('carries a step header or step line to the following lines of its stream', () => {
    const context = {};
    expect(read('Epoch 3/10', context)).toEqual([]);
    expect(read('1875/1875 [====] - 3s 2ms/step - loss: 0.2954', context)).toEqual([['loss', 0.2954, 3]]);
    expect(read('loss: 0.653568  [   50/  600]', context)).toEqual([['loss', 0.653568, 3 * 600 + 50]]);
    expect(read('Iteration 5, loss = 0.31', context)).toEqual([['loss', 0.31, 5]]);
    expect(read('Validation score: 0.8', context)).toEqual([['Validation score', 0.8, 5]]);
    expect(read('Validation score: 0.8')).toEqual([['Validation score', 0.8, undefined]]);
  });

  it('reads a column table under its header row, keyed by column, stepped by its iteration column', () => {
    const context = {};
    expect(read('      Iter       Train Loss      OOB Improve   Remaining Time ', context)).toEqual([]);
    expect(read('         1           1.2459           0.1294            0.33s', context)).toEqual([
      ['Iter', 1, 1],
      ['Train Loss', 1.2459, 1],
      ['OOB Improve', 0.1294, 1],
    ]);
    expect(read('         2           1.1382          -0.1118            0.19s', context)).toEqual([
      ['Iter', 2, 2],
      ['Train Loss', 1.1382, 2],
      ['OOB Improve', -0.1118, 2],
    ]);
    expect(read('done', context)).toEqual([]);
    expect(read('         3           1.0000           0.1000            0.10s', context)).toEqual([]);
  });

  it('reads a long adversarial line in one pass of bounded work (no catastrophic backtracking)', () => {
    // linear by construction: every quantifier in the grammar is followed by a character it cannot match or is bounded
    const line = `${'a'.repeat(20_000)}: ${'1'.repeat(20_000)}${' a: 1.'.repeat(5_000)}x`;
    expect(Array.isArray(parse(line))).toBe(true);
  });
});

describe('createMetricParser (custom pattern)', () => {
  it('replaces the default grammar with the named groups key, value and step', () => {
    const custom = createMetricParser({ enabled: true, pattern: String.raw`(?<key>\w+)@(?<value>[\d.]+)(?: #(?<step>\d+))?` });
    expect(custom('loss@0.5 #7 acc@0.9')).toEqual([
      { key: 'loss', value: 0.5, step: 7 },
      { key: 'acc', value: 0.9 },
    ]);
    expect(custom('loss=0.5')).toEqual([]);
  });

  it('runs a pattern that would backtrack catastrophically in linear time (no ReDoS)', () => {
    const custom = createMetricParser({ enabled: true, pattern: '(?<key>x)(?<value>[0-9]+)(a+)+$' });
    expect(custom(`x1${'a'.repeat(5000)}!`)).toEqual([]);
    expect(custom('x1aaa')).toEqual([{ key: 'x', value: 1 }]);
  });

  it.each(['(?<key>\\w+', '(\\w+)=(\\d+)', '(?<key>\\w+)=(?<value>\\d+)\\1', '(?<key>\\w+)(?=:)(?<value>\\d+)'])(
    'rejects the pattern %j with a USAGE error',
    (pattern) => {
      expect(() => createMetricParser({ enabled: true, pattern })).toThrow(expect.objectContaining({ code: 'USAGE' }));
    },
  );
});
