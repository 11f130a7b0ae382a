import type { RunRule } from '../../spool/spool-files.js';
import type { OpenedExecution } from '../../sink/sink.js';
import type { Store } from '../../store/store.js';
import { ExecTrackError } from '../../errors.js';
import { EMBEDDED_PAGES, RUN_EVENTS, ruleOptions } from '../../notify/rule-options.js';

/** `run --notify <url>` (repeatable) with `--notify-on` and `--stall-after`. */
export interface RunNotifyFlags {
  notify?: string[];
  notifyOn?: string;
  stallAfter?: string;
}

/** What a run does about notifications: register its rules once it has ids, and settle before it exits. */
export interface RunNotifications {
  started(ids: OpenedExecution): void;
  /** Embedded: sends what is due (at most `FLUSH_MS`). Never throws. */
  finish(): Promise<void>;
}

/** How long an embedded-mode wrapper may spend sending after the command ended; what is left waits in the outbox for the next run. */
const FLUSH_MS = 5000;

/**
 * Validates `--notify`/`--notify-on`/`--stall-after` (before anything runs); undefined without `--notify`.
 * @throws ExecTrackError USAGE naming the option, also for `--notify-on` or `--stall-after` without `--notify`.
 */
export async function validateRunNotify(flags: RunNotifyFlags): Promise<RunRule[] | undefined> {
  if (!flags.notify || flags.notify.length === 0) {
    const alone = flags.notifyOn !== undefined ? '--notify-on' : flags.stallAfter !== undefined ? '--stall-after' : undefined;
    if (alone)
      throw new ExecTrackError(
        'USAGE',
        `${alone} applies to the rules of --notify <url>; add --notify <url>, or use \`exec-track notify add\` for a session's rules.`,
      );
    return undefined;
  }
  const { parseTarget } = await import('../../notify/target.js');
  const options = ruleOptions(flags.notifyOn, flags.stallAfter, { on: '--notify-on', stallAfter: '--stall-after' }, RUN_EVENTS);
  return flags.notify.map((url) => {
    parseTarget(url);
    return { url, ...options };
  });
}

/**
 * The notifications of one run (issue 15 point 3) in embedded mode; with a server the sink carries the
 * run's rules in its spool and registers them with the execution (the server sends them, also when
 * this machine dies; a server down at the start gets them when it comes back or at `exec-track sync`).
 * Here the rules (`bodies`, may be none) go to the embedded store's outbox and this wrapper sends
 * them: when the store holds any rule, a {@link Notifier} runs during the command (for `stalled`) and
 * once more at the end, for every rule of the store; what is not delivered by then stays queued for
 * the next `run`. Without a `store` (server mode) it does nothing.
 */
export function runNotifications(bodies: RunRule[], store: Store | undefined, env: NodeJS.ProcessEnv, notice: (message: string) => void): RunNotifications {
  let registered: Promise<unknown> = Promise.resolve();
  let stopNotifier: (() => Promise<void>) | undefined;
  const failed = (error: unknown) => notice(`could not set up the notification: ${(error as Error).message}`);
  return {
    started: ({ sessionId, executionId }) => {
      if (!store) return;
      registered = (async () => {
        // without rules of its own, a run still sends what earlier runs left in the outbox and watches the store's session rules
        if (bodies.length === 0 && (await store.notify.listRules()).length === 0) return;
        const [{ addRule }, { Notifier }, { notifyOptions }] = await Promise.all([
          import('../../notify/rules.js'),
          import('../../notify/notifier.js'),
          import('../../notify/options.js'),
        ]);
        for (const b of bodies) await addRule(store, sessionId, { ...b, executionId }, Date.now());
        const notifier = new Notifier(store, notifyOptions(env), {
          clock: Date.now,
          log: (line) => notice(line.replace(/^exec-track: /, '')),
          base: EMBEDDED_PAGES,
        });
        notifier.start();
        stopNotifier = async () => {
          await notifier.stop();
          await notifier.tick(Date.now() + FLUSH_MS);
        };
      })().catch(failed);
    },
    finish: async () => {
      await registered;
      await stopNotifier?.();
    },
  };
}
