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
    [
      'Epoch 2: 100%|██████████| 1563/1563 [00:12<00:00, 125.3it/s, v_num=0, train_loss=0.412]',
      { v_num: 0, train_loss: 0.412 },
      2,
    ],
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

  it.each(['(?<key>\\w+', '(\\w+)=(\\d+)', '(?<key>\\w+)=(?<value>\\d+)\\1', '(?<key>\\w+)(?=:)(?<value>\\d+)'])('rejects the pattern %j with a USAGE error', (pattern) => {
    expect(() => createMetricParser({ enabled: true, pattern })).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});
