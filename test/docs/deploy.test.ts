import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');

describe('docs/deploy.md', () => {
  it.each([
    ['nginx', 'examples/deploy/nginx.conf'],
    ['ini', 'examples/deploy/exec-track@.service'],
  ])('shows the %s file the tests and users run, verbatim (%s)', (lang, file) => {
    const block = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(read('docs/deploy.md'))?.[1];
    expect(block).toBe(read(file));
  });
});
