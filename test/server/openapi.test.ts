import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESPONSES } from '../../src/protocol/responses.js';
import { OPENAPI_PATH, openApiText } from '../../src/server/api/document.js';
import { DOCS_CSP } from '../../src/server/api/openapi.js';
import { socketFramesMarkdown, SOCKET_DOCS_BEGIN, SOCKET_DOCS_END } from '../../src/server/api/socket-docs.js';
import { checkAgainstOpenApi, checkedOperations, OPERATIONS } from '../helpers/openapi-check.js';
import { credentials, lines, sessionWithExecution, testApp, type TestApp } from './setup.js';

const ROOT = resolve(import.meta.dirname, '../..');
const checkedIn = () => readFileSync(resolve(ROOT, OPENAPI_PATH), 'utf8');
const SOCKETS = ['GET /api/v1/executions/{id}/stream', 'GET /api/v1/executions/{id}/follow', 'GET /api/v1/sessions/{id}/follow'];

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

describe('OpenAPI document', () => {
  it('is checked in as docs/openapi.json exactly as generated (run `npm run openapi` after changing a route)', async () => {
    expect(checkedIn()).toBe(await openApiText());
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(checkedIn()));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('holds every REST route, the raw log and the three sockets, and nothing of the web pages', () => {
    const doc = JSON.parse(checkedIn()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    // DELETE of a notification rule answers 204 without a body, so it has no entry in RESPONSES
    const expected = [
      ...Object.keys(RESPONSES).map((r) => r.replace(':id', '{id}')),
      'GET /api/v1/executions/{id}/raw',
      'DELETE /api/v1/notifications/{id}',
      ...SOCKETS,
    ];
    expect(operations.sort()).toEqual(expected.sort());
  });

  it('is served at /api/v1/openapi.json', async () => {
    const res = await t.app.inject({ url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(JSON.parse(checkedIn()));
  });

  it('declares the credential of each write, and the error body of every refusal', () => {
    const doc = JSON.parse(checkedIn());
    expect(doc.paths['/api/v1/sessions'].post.security).toEqual([{ claimKey: [] }]);
    expect(doc.paths['/api/v1/executions/{id}/stream'].get.security).toEqual([{ claimKey: [] }]);
    expect(doc.paths['/api/v1/claims'].post.security).toEqual([{ userToken: [] }]);
    expect(doc.paths['/api/v1/executions/{id}'].get.security).toBeUndefined();
    expect(doc.paths['/api/v1/executions/{id}'].get.responses['4XX'].content['application/json'].schema.required).toEqual(['error']);
  });
});

describe('answers against the document', () => {
  it('a JSON answer of every route validates against docs/openapi.json (ajv, JSON Schema 2020-12)', async () => {
    checkedOperations.clear();
    const { claimKey, token } = await credentials(t.app);
    const headers = { authorization: `Bearer ${claimKey}` };
    const { sessionId, executionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    const send = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, auth: object = headers) =>
      t.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
    const e = `/api/v1/executions/${executionId}`;
    const s = `/api/v1/sessions/${sessionId}`;
    const rule = (await send('POST', `${s}/notifications`, { url: 'https://hooks.example.org/x/secret1234', on: ['failed'] })).json();
    const answers = [
      await send('GET', '/api/v1/sessions', undefined, { authorization: `Bearer ${token}` }),
      await send('GET', s),
      await send('GET', `${s}/summary`),
      await send('GET', `${s}/notifications`),
      await send('POST', `${e}/reports`, { lines: lines(0, 20) }),
      await send('GET', `${e}/reports`),
      await send('GET', `${e}/metrics`),
      await send('GET', `${e}/points?keys=loss&buckets=4`),
      await send('GET', `${e}/search?q=loss`),
      await send('POST', `${e}/finish`, { outcome: { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: t.clock.now } }),
      await send('GET', e),
      await send('DELETE', `/api/v1/notifications/${rule.rule.id}`),
      // 204 has no body; the second time the rule is gone: the JSON refusal is what gets checked
      await send('DELETE', `/api/v1/notifications/${rule.rule.id}`),
      await send('GET', '/healthz'),
      await send('GET', '/readyz'),
      await send('GET', '/api/v1/openapi.json'),
      // a socket asked for without an upgrade, and the raw log of an unknown execution: refusals in the error body the document declares
      ...(await Promise.all(['stream', 'follow'].map((socket) => send('GET', `${e}/${socket}`)))),
      await send('GET', `${s}/follow`),
      await send('GET', '/api/v1/executions/e_AAAAAAAAAAAAAAAAAAAAAA/raw'),
    ];
    expect(answers.filter((a) => a.statusCode >= 500)).toEqual([]);
    expect([...checkedOperations].sort()).toEqual(OPERATIONS.map((o) => o.key).sort());
  });

  it('a body unlike the document fails the check', () => {
    expect(() => checkAgainstOpenApi('GET', '/api/v1/executions/e_AAAAAAAAAAAAAAAAAAAAAA', 200, '{"execution":{"id":7}}')).toThrow(/unlike docs\/openapi.json/);
    expect(() => checkAgainstOpenApi('GET', '/api/v1/sessions/s_AAAAAAAAAAAAAAAAAAAAAA', 404, '{"error":{"code":"NOT_FOUND"}}')).toThrow(
      /unlike docs\/openapi.json \(GET \/api\/v1\/sessions\/{id} 4XX\)/,
    );
  });
});

describe('API reference page', () => {
  it('is served at /api/docs from bundled assets under a CSP that allows nothing from elsewhere', async () => {
    const page = await t.app.inject({ url: '/api/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toBe(DOCS_CSP);
    const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref).not.toMatch(/^(https?:)?\/\//);
      expect((await t.app.inject({ url: new URL(ref, 'http://x/api/docs/').pathname })).statusCode).toBe(200);
    }
  });
});

describe('socket frames in docs/api.md', () => {
  it('are generated from src/protocol/ (run `npm run openapi` after changing a frame)', () => {
    const md = readFileSync(resolve(ROOT, 'docs/api.md'), 'utf8');
    const begin = md.indexOf(SOCKET_DOCS_BEGIN);
    const end = md.indexOf(SOCKET_DOCS_END);
    expect(begin).toBeGreaterThan(0);
    expect(md.slice(begin + SOCKET_DOCS_BEGIN.length, end).trim()).toBe(socketFramesMarkdown().trim());
  });
});
