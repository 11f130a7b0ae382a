import type { MessageFacts } from './message.js';

/** The sample message of `notify test`: a `failed` run with a few lines and metrics; `link` stands for its page. */
export function sampleFacts(now: number, link: string): MessageFacts {
  return {
    key: `test/${now}`,
    kind: 'failed',
    at: now,
    link,
    session: { id: 's_sample', title: 'exec-track notify test' },
    execution: {
      id: 'e_sample',
      sessionId: 's_sample',
      name: 'sample run',
      command: ['python3', 'train.py'],
      cwd: '/tmp',
      host: 'example-host',
      pid: null,
      state: 'Execution crushed',
      exitCode: 1,
      signal: null,
      reason: null,
      startedAt: now - 185_000,
      endedAt: now,
      lastSeenAt: now,
      receivedAt: now - 185_000,
      lineCount: 3,
      metrics: { enabled: true },
      context: null,
      usage: null,
    },
    lines: [
      { seq: 0, ts: now - 2000, stream: 'stdout', text: 'epoch 3 loss=0.412 acc=0.87' },
      { seq: 1, ts: now - 1000, stream: 'stderr', text: 'RuntimeError: CUDA out of memory (sample)' },
      { seq: 2, ts: now, stream: 'stderr', text: 'exec-track notify test: this is a sample message' },
    ],
    metrics: { loss: { last: 0.412, min: 0.4, max: 2.3, count: 3 }, acc: { last: 0.87, min: 0.5, max: 0.87, count: 3 } },
  };
}
