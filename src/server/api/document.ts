import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../store/open.js';
import { buildApp } from '../app.js';

/** Where the generated OpenAPI document is checked in (relative to the package root). */
export const OPENAPI_PATH = 'docs/openapi.json';

/**
 * The OpenAPI 3.1 document of this build's routes, as served at `/api/v1/openapi.json` and checked
 * in as docs/openapi.json (`npm run openapi`). Built from an app over a throwaway store (it never
 * listens); the text ends with a newline.
 */
export async function openApiText(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'exec-track-openapi-'));
  const store = await openStore(join(dir, 'openapi.db'));
  try {
    const app = await buildApp({ store });
    await app.ready();
    const text = `${JSON.stringify(await app.openApiDocument(), null, 2)}\n`;
    await app.close();
    return text;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
