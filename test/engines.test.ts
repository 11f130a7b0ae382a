import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface Lock {
  packages: Record<string, { version?: string; dev?: boolean; engines?: { node?: string } | string[] }>;
}

describe('package-lock.json', () => {
  it('installs no runtime package whose engines.node refuses the Node version the README promises (npm ci prints no EBADENGINE)', () => {
    const promised = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;
    const oldest = semver.minVersion(promised)!.version;
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as Lock;
    const refusing = Object.entries(lock.packages)
      .filter(([, pkg]) => !pkg.dev && pkg.engines && !Array.isArray(pkg.engines) && pkg.engines.node && !semver.satisfies(oldest, pkg.engines.node))
      .map(([path, pkg]) => `${path}@${pkg.version} (node ${(pkg.engines as { node: string }).node})`);
    expect(refusing).toEqual([]);
  });
});
