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
    expect(text).toContain('**What to do:**');
  });

  it.each(codes)('documents exactly the exit code and HTTP status src/errors.ts gives %s', (code) => {
    const line = /^CLI exit code: (\d+) · HTTP status: (\d+)(?: \(.*\))?$/m.exec(section(code) ?? '');
    expect(line, `docs/errors.md states no exit code and status for ${code}`).not.toBeNull();
    expect({ exitCode: Number(line![1]), status: Number(line![2]) }).toEqual({ exitCode: ERRORS[code].exitCode, status: ERRORS[code].status });
  });

  it('documents no code that src/errors.ts does not define', () => {
    const documented = [...doc.matchAll(/^### `([A-Z_]+)`$/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...codes].sort());
  });

  it.each(['128 + N', '| 127 |', '| 126 |', '| 125 |', "the child's code"])('documents the run exit code %s', (row) => {
    expect(doc).toContain(row);
  });
});

describe('MESSAGES', () => {
  it('words each templated code from the values a call site passes', () => {
    expect(ExecTrackError.of('NOT_FOUND', { thing: 'session s_x in the embedded store', hint: 'check the id' }).message).toBe(
      'No session s_x in the embedded store; check the id.',
    );
    expect(ExecTrackError.of('UNAUTHORIZED', { credential: 'user token' }).message).toBe(
      'This request needs a valid user token (Authorization: Bearer ut_…); get one with POST /api/v1/users.',
    );
    expect(ExecTrackError.of('LIMIT_EXCEEDED', { what: 'sessions per user', limit: 2, option: '--max-sessions-per-user', advice: 'delete one.' }).message).toBe(
      'The server allows at most 2 sessions per user (serve --max-sessions-per-user); delete one.',
    );
  });

  it('gives a RATE_LIMITED error its retryAfter and every templated error the status of its code', () => {
    const limited = ExecTrackError.of('RATE_LIMITED', { from: 'this address', retryAfter: 30 });
    expect(limited).toMatchObject({ retryAfter: 30, statusCode: 429, message: 'Too many requests from this address; retry after 30 s.' });
    expect(ExecTrackError.of('LIMIT_EXCEEDED', { what: 'x', limit: 1, option: '--y', advice: 'z' }).statusCode).toBe(ERRORS.LIMIT_EXCEEDED.status);
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
