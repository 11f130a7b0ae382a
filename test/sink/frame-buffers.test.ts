import { describe, expect, it } from 'vitest';
import { FrameBuffers } from '../../src/sink/frame-buffers.js';

describe('FrameBuffers', () => {
  it('hands out memory with the room around it, and the same memory again once recycled', () => {
    const buffers = new FrameBuffers(25, 1);
    const first = buffers.take(1000);
    expect(first.length).toBe(1000);
    expect(first.byteOffset).toBe(25);
    expect(first.buffer.byteLength).toBeGreaterThanOrEqual(25 + 1000 + 1);
    expect(buffers.take(1000).buffer).not.toBe(first.buffer);
    buffers.recycle(first.subarray(10, 20));
    expect(buffers.take(500).buffer).toBe(first.buffer);
  });

  it('never hands out recycled memory too small for the size asked', () => {
    const buffers = new FrameBuffers(25, 1);
    const small = buffers.take(1000);
    buffers.recycle(small);
    const large = buffers.take(small.buffer.byteLength);
    expect(large.buffer).not.toBe(small.buffer);
    expect(large.buffer.byteLength).toBeGreaterThanOrEqual(25 + small.buffer.byteLength + 1);
  });
});
