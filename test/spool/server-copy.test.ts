import { describe, expect, it } from 'vitest';
import { ExecTrackError } from '../../src/errors.js';
import { recoverLostExecution, type SpooledExecution } from '../../src/spool/server-copy.js';
import type { SpoolMeta } from '../../src/spool/spool-files.js';

/** A spooled execution in memory that records what the policy did to it. */
function spooled(patch: Partial<SpoolMeta>): SpooledExecution & { acked: number[] } {
  let meta = {
    server: 'http://x',
    session: { id: 's_1', title: 'train' },
    execution: {} as SpoolMeta['execution'],
    outcome: null,
    sessionCreated: true,
    executionCreated: true,
    wrapperPid: 1,
    ...patch,
  };
  const acked: number[] = [];
  return {
    acked,
    get meta() {
      return meta;
    },
    updateMeta: (p) => (meta = { ...meta, ...p }),
    setAcked: (seq) => acked.push(seq),
  };
}

const notFound = new ExecTrackError('NOT_FOUND', 'Execution e_1 not found.', { statusCode: 404 });

describe('recoverLostExecution', () => {
  it('forgets the server copy of an execution it had created: both created again, acked back to -1', () => {
    const s = spooled({});
    expect(recoverLostExecution(notFound, s)).toBe(true);
    expect(s.meta).toMatchObject({ sessionCreated: false, executionCreated: false });
    expect(s.acked).toEqual([-1]);
  });

  it('never creates a session named only by id (its title is unknown)', () => {
    const s = spooled({ session: { id: 's_1', title: null } });
    expect(recoverLostExecution(notFound, s)).toBe(true);
    expect(s.meta).toMatchObject({ sessionCreated: true, executionCreated: false });
  });

  it.each([
    ['a 404 before the execution was created (the server refuses its session)', notFound, { executionCreated: false }],
    ['another error', new ExecTrackError('SERVER_UNREACHABLE', 'down'), {}],
    ['a non-exec-track error', new Error('boom'), {}],
  ])('leaves %s to the caller', (_what, error, patch) => {
    const s = spooled(patch);
    expect(recoverLostExecution(error, s)).toBe(false);
    expect(s.acked).toEqual([]);
  });
});
