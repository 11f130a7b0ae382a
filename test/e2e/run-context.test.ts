import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDirs } from '../helpers/cli.js';
import { readLast, startLog } from './run-helpers.js';

const temp = tempDirs();

/** A git repository with one commit on branch `exp`. */
function repo(): { dir: string; commit: string } {
  const dir = temp();
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'exp');
  writeFileSync(`${dir}/train.py`, 'print(1)\n');
  git('add', 'train.py');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'one');
  return { dir, commit: git('rev-parse', 'HEAD') };
}

describe('the execution context', () => {
  it("records the commit, branch and dirty flag of the working directory's repository, the version and the host", async () => {
    const { dir, commit } = repo();
    writeFileSync(`${dir}/train.py`, 'print(2)\n');
    const home = temp();
    expect((await runCli(['run', '--quiet', '--', 'true'], { home, cwd: dir })).exitCode).toBe(0);
    const { execution } = await readLast(home);
    expect(execution.context).toEqual({ git: { commit, branch: 'exp', dirty: true }, version: '0.1.0' });
    const doc = JSON.parse((await runCli(['report', 'last', '--json'], { home })).out);
    expect(doc.execution.context).toEqual(execution.context);
    expect(doc.execution.host).toBe(execution.host);
    const text = (await runCli(['report', 'last'], { home })).out;
    expect(text).toContain(`git      ${commit.slice(0, 12)} on exp, dirty`);
    expect(text).toContain('tracker  exec-track 0.1.0');
  });

  it('calls a clean tree clean (untracked files do not count)', async () => {
    const { dir } = repo();
    writeFileSync(`${dir}/notes.txt`, 'scratch\n');
    const home = temp();
    await runCli(['run', '--quiet', '--', 'true'], { home, cwd: dir });
    expect((await readLast(home)).execution.context!.git).toMatchObject({ branch: 'exp', dirty: false });
  });

  it('records no git context outside a repository, or without git, and says nothing about it', async () => {
    const home = temp();
    const outside = temp();
    const ran = await runCli(['run', '--', 'true'], { home, cwd: outside, env: { GIT_CEILING_DIRECTORIES: outside } });
    expect(ran.err).not.toMatch(/git/i);
    expect((await readLast(home)).execution.context).toEqual({ git: null, version: '0.1.0' });
    const { dir } = repo();
    const noGit = await runCli(['run', '--', '/bin/true'], { home, cwd: dir, env: { PATH: '/nonexistent' } });
    expect(noGit.exitCode).toBe(0);
    expect(noGit.err).not.toMatch(/git/i);
    expect((await readLast(home)).execution.context).toEqual({ git: null, version: '0.1.0' });
  });

  it('starts one child before the CLI bundle is compiled, for `run` and `record`: the FIFOs and git in one inside a repository (B4)', async () => {
    const { dir } = repo();
    const home = temp();
    const { env, order } = startLog(home);
    expect((await runCli(['run', '--quiet', '--', 'true'], { home, cwd: dir, env })).exitCode).toBe(0);
    // one `sh -c '(git status … &); mkfifo …'` that then becomes the command (src/runner/launcher.ts): one child, where there were three
    expect(order()).toEqual(['prelude.cjs', '/bin/sh', 'track.cjs']);
    expect((await readLast(home)).execution.context!.git).toMatchObject({ branch: 'exp' });
    const outside = temp();
    expect((await runCli(['run', '--quiet', '--', 'true'], { home, cwd: outside, env: { ...env, GIT_CEILING_DIRECTORIES: outside } })).exitCode).toBe(0);
    expect(order()).toEqual(['prelude.cjs', '/bin/sh', 'track.cjs']);
    // without `--` (the command is not told apart before the CLI parses), the prelude makes the FIFOs and the command is spawned
    expect((await runCli(['run', '--quiet', 'true'], { home, cwd: dir, env })).exitCode).toBe(0);
    expect(order()).toEqual(['prelude.cjs', '/bin/sh', 'track.cjs', 'true']);
    const input = `${JSON.stringify({ type: 'start', protocol: 1, name: 'cell' })}\n${JSON.stringify({ type: 'finish', ok: true })}\n`;
    expect((await runCli(['record', '--quiet'], { home, cwd: dir, env, input })).exitCode).toBe(0);
    expect(order()).toEqual(['prelude.cjs', '/bin/sh', 'track.cjs']);
    // and the context is the one git read
    expect((await readLast(home)).execution.context!.git).toMatchObject({ branch: 'exp' });
  });

  it.each([
    ['--help', ['run', '--help'], 0],
    ['a usage error', ['run', '--sample', '1ms', '--', 'true'], 2],
  ])('leaves no FIFO folder behind and does not wait for git after %s inside a repository', async (_, args, exitCode) => {
    const { dir } = repo();
    const home = temp();
    const tmp = temp();
    // a git that would hold the run for 30 s if it waited for it
    const bin = join(home, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'git'), '#!/bin/sh\nexec sleep 30\n');
    chmodSync(join(bin, 'git'), 0o755);
    const started = Date.now();
    const ran = await runCli(args, { home, cwd: dir, env: { TMPDIR: tmp, PATH: `${bin}:${process.env.PATH}` } });
    expect(ran.exitCode).toBe(exitCode);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
