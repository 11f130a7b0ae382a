import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { readLast } from './run-helpers.js';

const temps: { cleanup: () => void }[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) t.cleanup();
});

function temp(): string {
  const t = tempHome();
  temps.push(t);
  return t.dir;
}

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

  it('starts git before the CLI bundle is compiled, for `run` and `record` (B4: git runs while the modules load)', async () => {
    const { dir } = repo();
    const home = temp();
    // a preload that logs, in order, each spawned program and each file bin/exec-track compiles (vm.Script)
    const log = join(home, 'order.json');
    const preload = join(home, 'preload.cjs');
    writeFileSync(
      preload,
      `const cp = require('node:child_process'); const vm = require('node:vm'); const order = [];
      const spawn = cp.spawn; cp.spawn = function (file, ...rest) { order.push(file); return spawn.call(this, file, ...rest); };
      const Script = vm.Script; vm.Script = class extends Script { constructor(code, options) { order.push(require('node:path').basename(options.filename)); super(code, options); } };
      process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(log)}, JSON.stringify(order)));`,
    );
    const env = { NODE_OPTIONS: `--require ${preload}` };
    expect((await runCli(['run', '--quiet', '--', 'true'], { home, cwd: dir, env })).exitCode).toBe(0);
    expect(JSON.parse(readFileSync(log, 'utf8'))).toEqual(['context.cjs', 'git', 'exec-track.cjs', 'true']);
    const input = `${JSON.stringify({ type: 'start', protocol: 1, name: 'cell' })}\n${JSON.stringify({ type: 'finish', ok: true })}\n`;
    expect((await runCli(['record', '--quiet'], { home, cwd: dir, env, input })).exitCode).toBe(0);
    expect(JSON.parse(readFileSync(log, 'utf8')).slice(0, 3)).toEqual(['context.cjs', 'git', 'exec-track.cjs']);
    // and the context is the one git read
    expect((await readLast(home)).execution.context!.git).toMatchObject({ branch: 'exp' });
  });
});
