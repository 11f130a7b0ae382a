#!/usr/bin/env node
// `npm run openapi`: regenerates docs/openapi.json and the socket-frames section of docs/api.md
// from the route and frame schemas of the built package (run after `npm run build`).
// test/server/openapi.test.ts fails when either is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OPENAPI_PATH, openApiText } from '../dist/server/api/document.js';
import { withSocketFrames } from '../dist/server/api/socket-docs.js';

const root = fileURLToPath(new URL('..', import.meta.url));
writeFileSync(`${root}${OPENAPI_PATH}`, await openApiText());
const apiMd = `${root}docs/api.md`;
writeFileSync(apiMd, withSocketFrames(readFileSync(apiMd, 'utf8')));
console.log(`wrote ${OPENAPI_PATH} and the socket frames of docs/api.md`);
