import { describe, expect, it } from 'vitest';
import type { Execution } from '../../src/protocol/types.js';
import { sessionFollowQuery } from '../../src/protocol/queries.js';
import { backlog } from '../../src/server/ws/session-follow.js';

const id = (n: number) => `e_${String(n).padStart(22, 'A')}`;
const executions = [1, 2, 3, 4, 5].map((n) => ({ id: id(n) }) as Execution);
const ids = (list: Execution[]) => list.map((e) => e.id);

describe('the session follow backlog', () => {
  it('is every execution for a first follow, or when `after` is no longer in the session', () => {
    expect(ids(backlog(executions, {}))).toEqual(ids(executions));
    expect(ids(backlog(executions, { after: id(9), open: [id(1)] }))).toEqual(ids(executions));
  });

  it('resumes with the executions after `after` and those the reader shows as not ended', () => {
    expect(ids(backlog(executions, { after: id(3), open: [] }))).toEqual([id(4), id(5)]);
    expect(ids(backlog(executions, { after: id(3), open: [id(2), id(4)] }))).toEqual([id(2), id(4), id(5)]);
    expect(backlog(executions, { after: id(5), open: [] })).toEqual([]);
  });

  it('reads the resume query, refusing malformed ids and more than 200 open ones', () => {
    expect(sessionFollowQuery.parse({ after: id(1), open: `${id(2)},${id(3)}` })).toEqual({ after: id(1), open: [id(2), id(3)] });
    expect(sessionFollowQuery.parse({ after: id(1), open: '' })).toEqual({ after: id(1), open: [] });
    expect(sessionFollowQuery.safeParse({ after: 'e_x' }).success).toBe(false);
    expect(sessionFollowQuery.safeParse({ open: `${id(1)},nope` }).success).toBe(false);
    expect(sessionFollowQuery.safeParse({ open: Array.from({ length: 201 }, (_, i) => id(i)).join(',') }).success).toBe(false);
  });
});
