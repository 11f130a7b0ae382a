import { readFileSync, readdirSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` puts the bundled page script and stylesheet (dist/web/assets/ of the package). */
export const ASSETS_DIR = fileURLToPath(new URL('../../dist/web/assets/', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** One built asset, held in memory (the bundle is small and served on every page load). */
export interface Asset {
  type: string;
  body: Buffer;
}

/**
 * Reads the built assets once. A missing folder (a source checkout before `npm run build`) gives
 * none: pages then work without charts and live log, as without JavaScript.
 */
export function loadAssets(dir = ASSETS_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return assets;
  }
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (type) assets.set(name, { type, body: readFileSync(`${dir}${name}`) });
  }
  return assets;
}
