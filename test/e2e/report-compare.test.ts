import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/protocol/ids.js';
import { openStore } from '../../src/store/open.js';
import { runCli, tempHome } from '../helpers/cli.js';

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);

/** Regression models of one session: name, duration (ms), final val_accuracy, exit code. */
const MODELS: Array<[string, number, number | null, number]> = [
  ['linear', 5_000, 0.81, 0],
  ['forest', 300_000, 0.93, 0],
  ['boosted', 60_000, 0.88, 0],
  ['broken', 1_000, null, 3],
];

let home: { dir: string; cleanup: () => void };
beforeEach(async () => {
  home = tempHome();
  const store = await openStore(join(home.dir, 'exec-track.db'));
  const session = await store.createSession({ id: newId('s'), title: 'regression', createdAt: T0, ownerId: null });
  for (const [i, [name, duration, accuracy, exitCode]] of MODELS.entries()) {
    const id = newId('e');
    const startedAt = T0 + i * 1000;
    await store.createExecution({
      id,
      sessionId: session.id,
      name,
      command: ['python3', 'fit.py', name],
      cwd: '/',
      host: 'elsewhere',
      pid: null,
      startedAt,
      receivedAt: startedAt,
      metrics: { enabled: true },
    });
    const lines = [`epoch=1 loss=${0.9 - i / 10}`];
    if (accuracy !== null) lines.push(`val_accuracy: ${accuracy}`);
    await store.appendReports(
      id,
      lines.map((text, seq) => ({ seq, ts: startedAt + seq, stream: 'stdout' as const, text })),
    );
    await store.finishExecution(id, {
      state: exitCode === 0 ? 'Passive' : 'Execution crushed',
      exitCode,
      signal: null,
      reason: null,
      endedAt: startedAt + duration,
    });
  }
  await store.close();
});
afterEach(() => home.cleanup());

/** Execution names in the order the session view lists them. */
function names(text: string): string[] {
  return text
    .trim()
    .split('\n')
    .slice(2)
    .map((line) => MODELS.find(([name]) => line.includes(` ${name} `))?.[0] ?? line);
}

describe('report on a session compares its executions', () => {
  it.each([
    [
      ['--sort', 'val_accuracy'],
      ['linear', 'boosted', 'forest', 'broken'],
    ],
    [
      ['--sort', '-val_accuracy'],
      ['forest', 'boosted', 'linear', 'broken'],
    ],
    [
      ['--sort', '-duration'],
      ['forest', 'boosted', 'linear', 'broken'],
    ],
    [
      ['--sort', 'loss'],
      ['broken', 'boosted', 'forest', 'linear'],
    ],
    [[], ['linear', 'forest', 'boosted', 'broken']],
  ])('lists them with %j in the right order', async (args, order) => {
    const result = await runCli(['report', ...args], { home: home.dir });
    expect(result.exitCode).toBe(0);
    expect(names(result.out)).toEqual(order);
  });

  it('shows the last value of the chosen metrics and the most common ones by default', async () => {
    const chosen = await runCli(['report', '--metric', 'val_accuracy'], { home: home.dir });
    const header = chosen.out.split('\n')[1]!.trim().split(/\s+/);
    expect(header.at(-1)).toBe('val_accuracy');
    expect(chosen.out).toMatch(/forest .* 0\.93\n/);
    const defaults = await runCli(['report'], { home: home.dir });
    expect(defaults.out.split('\n')[1]!.trim().split(/\s+/).slice(-3)).toEqual(['epoch', 'loss', 'val_accuracy']);
  });

  it('shows times in the local zone in the terminal and in UTC in JSON', async () => {
    const text = await runCli(['report'], { home: home.dir, env: { TZ: 'Asia/Kolkata' } });
    expect(text.out).toMatch(/linear +Passive +2026-11-30 17:30:00 /);
    const json = await runCli(['report', '--json'], { home: home.dir, env: { TZ: 'Asia/Kolkata' } });
    expect(JSON.parse(json.out).executions[0].startedAt).toBe('2026-11-30T12:00:00.000Z');
  });
});
