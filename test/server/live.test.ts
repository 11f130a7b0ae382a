import { describe, expect, it } from 'vitest';
import { InflightWrites, InProcessLiveStreams } from '../../src/server/ws/live.js';

describe('InProcessLiveStreams', () => {
  it('keeps an execution live until its last stream socket closes', async () => {
    const live = new InProcessLiveStreams();
    live.add('e_1');
    live.add('e_1');
    live.add('e_2');
    live.delete('e_1');
    expect(await live.ids()).toEqual(['e_1', 'e_2']);
    live.delete('e_1');
    live.delete('e_2');
    expect(await live.ids()).toEqual([]);
  });
});

describe('InflightWrites', () => {
  it('drains only once every tracked write has settled', async () => {
    const writes = new InflightWrites();
    const settled: string[] = [];
    let release!: () => void;
    writes.track(new Promise<void>((resolve) => (release = resolve)).then(() => void settled.push('slow')));
    writes.track(Promise.resolve().then(() => void settled.push('fast')));
    const drained = writes.drain().then(() => settled.push('drained'));
    await Promise.resolve();
    release();
    await drained;
    expect(settled).toEqual(['fast', 'slow', 'drained']);
  });
});
