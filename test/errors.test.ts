import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS, ExecTrackError, isExecTrackError, type ErrorCode } from '../src/errors.js';

const doc = readFileSync(resolve(import.meta.dirname, '../docs/errors.md'), 'utf8');
const codes = Object.keys(ERRORS) as ErrorCode[];

/** The section of docs/errors.md under `### \`CODE\``, up to the next heading. */
function section(code: string): string | undefined {
  const start = doc.indexOf(`### \`${code}\`\n`);
  if (start === -1) return undefined;
  const end = doc.indexOf('\n#', start + 1);
  return doc.slice(start, end === -1 ? undefined : end);
}

describe('docs/errors.md', () => {
  it.each(codes)('documents %s with its exit code, HTTP status, meaning and what to do', (code) => {
    const text = section(code);
    expect(text, `docs/errors.md has no "### \`${code}\`" section`).toBeDefined();
    expect(text).toContain(`CLI exit code: ${ERRORS[code].exitCode} · HTTP status: ${ERRORS[code].status}`);
    expect(text).toContain('**What to do:**');
  });

  it('documents no code that src/errors.ts does not define', () => {
    const documented = [...doc.matchAll(/^### `([A-Z_]+)`$/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...codes].sort());
  });

  it.each(['128 + N', '| 127 |', '| 126 |', '| 125 |', "the child's code"])('documents the run exit code %s', (row) => {
    expect(doc).toContain(row);
  });
});

describe('ExecTrackError', () => {
  it.each(codes)('takes the exit code and status of %s from ERRORS', (code) => {
    const error = new ExecTrackError(code, 'Something went wrong; do this.');
    expect(error).toMatchObject({ code, exitCode: ERRORS[code].exitCode, statusCode: ERRORS[code].status, name: 'ExecTrackError' });
    expect(isExecTrackError(error)).toBe(true);
  });

  it('serialises to exactly {"error":{"code","message"}}', () => {
    const error = new ExecTrackError('NOT_FOUND', 'No session s_x found; check the id.', { cause: new Error('secret detail') });
    expect(error.toJSON()).toStrictEqual({ error: { code: 'NOT_FOUND', message: 'No session s_x found; check the id.' } });
    expect(JSON.parse(JSON.stringify(error))).toStrictEqual({ error: { code: 'NOT_FOUND', message: 'No session s_x found; check the id.' } });
  });

  it('keeps a status override, the cause and retryAfter', () => {
    const cause = new Error('socket hang up');
    const error = new ExecTrackError('RATE_LIMITED', 'Slow down; retry after 30 s.', { cause, retryAfter: 30, statusCode: 503 });
    expect(error).toMatchObject({ statusCode: 503, exitCode: 1, retryAfter: 30, cause });
  });

  it('is not confused with a plain Error', () => {
    expect(isExecTrackError(new Error('x'))).toBe(false);
    expect(isExecTrackError({ code: 'USAGE', message: 'x' })).toBe(false);
  });
});
