import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runCli, tempDirs } from '../helpers/cli.js';
import { readLast, startLog, waitFor } from './run-helpers.js';

// The prelude's child becoming `run`'s command (src/runner/launcher.ts, B4): what the command gets
// must be what a spawn gives it. `run -- cmd` launches; `run cmd` (no `--`) spawns: the reference.

const temp = tempDirs();

/** The environment `env -0` printed, without the ids that differ from run to run. */
function environment(stdout: Buffer): string[] {
  return stdout
    .toString()
    .split('\0')
    .filter((entry) => entry !== '' && !/^EXEC_TRACK_(EXECUTION|SESSION)_ID=/.test(entry))
    .sort();
}

describe('run -- <cmd>: the prelude becomes the command', () => {
  it("starts the command without a second child: its own session's and group's leader, the wrapper's child, with no child of its own", async () => {
    const home = temp();
    const dir = temp();
    // inside a repository: the prelude runs git too, in a subshell it reaps before it becomes the command
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const log = startLog(home);
    // fields 4-6 of /proc/<pid>/stat: ppid, process group, session; the children file lists the children
    const script = 'read s < /proc/$$/stat; echo "${s#*) }" | cut -d" " -f2-4; read c < /proc/$$/task/$$/children; echo "children:[$c] pid:$$"';
    const ran = await runCli(['run', '--quiet', '--', 'sh', '-c', script], { home, cwd: dir, env: log.env });
    expect(ran.exitCode).toBe(0);
    expect(log.order()).toEqual(['prelude.cjs', '/bin/sh', 'track.cjs']);
    const [ids, children] = ran.out.trim().split('\n');
    const pid = Number(/pid:(\d+)/.exec(children!)![1]);
    const { execution } = await readLast(home);
    expect(ids).toBe(`${execution.pid} ${pid} ${pid}`);
    expect(children).toBe(`children:[] pid:${pid}`);
  });

  it.each([
    ['quotes, backslashes, $, backticks, unicode and an empty value', { ODD: `it's "a" \\ $HOME \`x\` ü  `, EMPTY: '', PS1: 'x$ ' }, true],
    ['no PWD', { PWD: undefined }, true],
    ['a PWD that is not the working directory', { PWD: '/' }, true],
    ['a name dash would drop', { 'a.b': '1' }, false],
    ['a value with a newline', { MULTI: 'one\ntwo' }, false],
    ['IFS, which dash sets itself', { IFS: ':' }, false],
    ["a PATH entry dash would read as '%func'", { PATH: `/nonexistent%func:${process.env.PATH}` }, false],
  ])('gives the command the environment a spawn gives it, with %s', async (_, extra: NodeJS.ProcessEnv, launches) => {
    const home = temp();
    const log = startLog(home);
    const env = { ...log.env, ...extra };
    const launched = await runCli(['run', '--quiet', '--', 'env', '-0'], { home, env });
    expect(launched.exitCode).toBe(0);
    // launched only where dash can pass the environment on as given; else spawned, as without `--`
    expect(log.order().includes('env')).toBe(!launches);
    const spawned = await runCli(['run', '--quiet', 'env', '-0'], { home, env });
    expect(log.order()).toContain('env');
    expect(environment(launched.stdout)).toEqual(environment(spawned.stdout));
    expect(environment(launched.stdout)).toContain('PYTHONUNBUFFERED=1');
  });

  it('starts the command at the git timeout even when git ignores the SIGTERM that ends it (it is not waited for then)', async () => {
    const home = temp();
    const dir = temp();
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const bin = join(home, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'git'), "#!/bin/sh\ntrap '' TERM\nsleep 6\n");
    chmodSync(join(bin, 'git'), 0o755);
    const log = startLog(home);
    const started = Date.now();
    const ran = await runCli(['run', '--quiet', '--', 'echo', 'started'], { home, cwd: dir, env: { ...log.env, PATH: `${bin}:${process.env.PATH}` } });
    expect(ran.out).toBe('started\n');
    expect(log.order()).toEqual(['prelude.cjs', '/bin/sh', 'track.cjs']);
    // the prelude's wait for git is 1 s; waiting for git's subshell would have held the command 6 s
    expect(Date.now() - started).toBeLessThan(4500);
    expect((await readLast(home)).execution.context!.git).toBeNull();
  });

  it('spawns the command as before when the prelude shell was killed before it could become it', async () => {
    const home = temp();
    const preload = join(home, 'kill-prelude.cjs');
    // the shell dies right after its start, as an outside kill while the CLI loads would make it
    writeFileSync(
      preload,
      `const { ChildProcess } = require('node:child_process'); const spawn = ChildProcess.prototype.spawn;
      ChildProcess.prototype.spawn = function (options) { const r = spawn.call(this, options); if (options.file === '/bin/sh') process.kill(this.pid, 'SIGKILL'); return r; };`,
    );
    const ran = await runCli(['run', '--quiet', '--', 'echo', 'hi'], { home, env: { NODE_OPTIONS: `--require ${preload}` } });
    expect(ran.out).toBe('hi\n');
    expect(ran.exitCode).toBe(0);
    expect((await readLast(home)).execution.state).toBe('Passive');
  });

  it('leaves no FIFO folder when the run fails after its pipes were made (an unknown session)', async () => {
    const home = temp();
    const tmp = temp();
    const ran = await runCli(['run', '--quiet', '--session', 's_AAAAAAAAAAAAAAAAAAAAAA', '--', 'true'], { home, env: { TMPDIR: tmp } });
    expect(ran.exitCode).toBe(125);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('lets the child exit when the run ends before its command starts (a usage error): nothing is left running', async () => {
    const home = temp();
    const tmp = temp();
    const marker = `exec-track-launcher-${process.pid}-${Date.now()}`;
    const ran = await runCli(['run', '--sample', '1ms', '--', 'sleep', '30', marker], { home, env: { TMPDIR: tmp } });
    expect(ran.exitCode).toBe(2);
    const alive = () => {
      try {
        return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' }).trim();
      } catch {
        return '';
      }
    };
    await waitFor(() => alive() === '', `no process with ${marker} left`, 5000);
    await sleep(300);
    expect(alive()).toBe('');
  });
});
