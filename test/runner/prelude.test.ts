import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPrelude } from '../../src/runner/prelude.js';
import { tempHome } from '../helpers/cli.js';

const temps: { cleanup: () => void }[] = [];
const savedTmpdir = process.env.TMPDIR;
afterEach(() => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  for (const t of temps.splice(0)) t.cleanup();
});

/** A fresh folder, also made the temp dir the prelude's FIFO folder goes into. */
function tempDirs(): { tmp: string; dir: string } {
  const t = tempHome();
  temps.push(t);
  const tmp = join(t.dir, 'tmp');
  mkdirSync(tmp);
  process.env.TMPDIR = tmp;
  return { tmp, dir: t.dir };
}

function repo(dir: string): void {
  execFileSync('git', ['init', '-q', '-b', 'exp'], { cwd: dir });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'one'], { cwd: dir });
}

describe('runPrelude', () => {
  it("reads git status and makes the FIFOs in a repository, and removes the FIFOs' folder on request", async () => {
    const { tmp, dir } = tempDirs();
    repo(dir);
    const prelude = runPrelude(dir, process.env, 2);
    expect(await prelude.gitStatus).toMatch(/^# branch\.head exp$/m);
    const fifos = (await prelude.fifos)!;
    expect(fifos.paths.map((path) => statSync(path).isFIFO())).toEqual([true, true]);
    fifos.remove();
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('makes the FIFOs without git outside a repository', async () => {
    const { dir } = tempDirs();
    const prelude = runPrelude(dir, { ...process.env, GIT_CEILING_DIRECTORIES: dir }, 1);
    expect(await prelude.gitStatus).toBeNull();
    const fifos = (await prelude.fifos)!;
    expect(statSync(fifos.paths[0]!).isFIFO()).toBe(true);
    fifos.remove();
  });

  it("gives no FIFOs and leaves no folder when mkfifo is missing, and still reads git's status", async () => {
    const { tmp, dir } = tempDirs();
    repo(dir);
    // git by its full path in a PATH without mkfifo
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const git = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    writeFileSync(join(bin, 'git'), `#!/bin/sh\nexec ${git} "$@"\n`);
    chmodSync(join(bin, 'git'), 0o755);
    const prelude = runPrelude(dir, { ...process.env, PATH: bin }, 2);
    expect(await prelude.fifos).toBeNull();
    expect(await prelude.gitStatus).toMatch(/^# branch\.oid /m);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('gives up on a git slower than its timeout, the FIFOs made before it still usable', async () => {
    const { dir } = tempDirs();
    repo(dir);
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'git'), '#!/bin/sh\nexec sleep 30\n');
    chmodSync(join(bin, 'git'), 0o755);
    const started = Date.now();
    const prelude = runPrelude(dir, { ...process.env, PATH: `${bin}:${process.env.PATH}` }, 2);
    expect(await prelude.gitStatus).toBeNull();
    const fifos = (await prelude.fifos)!;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(fifos.paths.map((path) => statSync(path).isFIFO())).toEqual([true, true]);
    fifos.remove();
  });
});
