import { setTimeout as sleep } from 'node:timers/promises';
import { descendants, groupAlive, inTerminalForeground, readStat, sendSignal } from './process-group.js';

/** Signals the wrapper catches and passes on to the command (docs/signals.md). */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
/** Signals that ask the command to end: after them the wrapper waits for the whole tree to be gone. */
const TERMINATING: ReadonlySet<NodeJS.Signals> = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']);
/** Signals escalated to SIGKILL after the grace even while the command lives; SIGINT is not (REPLs and debuggers catch Ctrl-C). */
const ESCALATING: ReadonlySet<NodeJS.Signals> = new Set(['SIGTERM', 'SIGHUP']);
/** Signals a terminal sends to its whole foreground group (so in `--foreground` the command already has them). */
const FROM_TERMINAL: ReadonlySet<NodeJS.Signals> = new Set(['SIGINT', 'SIGQUIT']);
/** How long after SIGKILL the wrapper still waits for the tree before giving up (ms). */
const AFTER_KILL_WAIT_MS = 2000;
const POLL_MS = 25;

/** Options of a {@link SignalForwarder}. */
export interface SignalForwarderOptions {
  /** PID of the command; in own-group mode also its process group id. */
  pid: number;
  /** True when the command stays in the wrapper's process group (`run --foreground`). */
  foreground: boolean;
  /** Grace after a forwarded SIGTERM/SIGHUP before the tree gets SIGKILL (ms). */
  killAfterMs: number;
}

/**
 * Passes the signals the wrapper receives on to the command exactly once (DESIGN §7, docs/signals.md).
 *
 * Own-group mode (default; the command was spawned `detached`, i.e. in a new session): every signal
 * of {@link FORWARDED_SIGNALS} goes to the command's whole group with `kill(-pgid)`, so
 * grandchildren get it too. A terminal's Ctrl-C reaches only the wrapper's group, so the command
 * sees that SIGINT once, from the wrapper.
 *
 * Foreground mode: the command shares the wrapper's group and the terminal; SIGINT/SIGQUIT are not
 * forwarded while that group is the terminal's foreground group (the terminal already delivered
 * them); others go to the command's PID, and the tree is found through /proc.
 *
 * After SIGTERM/SIGHUP, a tree still alive after `killAfterMs` gets SIGKILL. After any terminating
 * signal, {@link settle} waits until the tree is gone.
 */
export class SignalForwarder {
  readonly #options: SignalForwarderOptions;
  readonly #handlers = new Map<NodeJS.Signals, () => void>();
  /** Listeners other modules had installed, set aside while we handle the signals. */
  readonly #others = new Map<NodeJS.Signals, NodeJS.SignalsListener[]>();
  #received: NodeJS.Signals | null = null;
  #receivedAt = 0;
  #killedAfterMs: number | null = null;
  #escalation: NodeJS.Timeout | undefined;
  /** Foreground mode: the processes seen in the command's tree, for the kill and the wait. */
  readonly #tree = new Set<number>();

  constructor(options: SignalForwarderOptions) {
    this.#options = options;
  }

  /** The first terminating signal received, or null. */
  get received(): NodeJS.Signals | null {
    return this.#received;
  }

  /** The grace after which SIGKILL was needed, or null when it was not. */
  get killedAfterMs(): number | null {
    return this.#killedAfterMs;
  }

  /**
   * Installs the handlers. They keep the wrapper alive on these signals until {@link stop}.
   * Listeners installed by other modules are set aside meanwhile: some (conf's when-exit) re-raise
   * the signal on the process, which would forward it a second time.
   */
  start(): void {
    for (const signal of FORWARDED_SIGNALS) {
      this.#others.set(signal, process.rawListeners(signal) as NodeJS.SignalsListener[]);
      process.removeAllListeners(signal);
      const handler = (): void => this.#onSignal(signal);
      this.#handlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  /** Removes the handlers and the SIGKILL timer, and gives other modules their listeners back. */
  stop(): void {
    for (const [signal, handler] of this.#handlers) process.off(signal, handler);
    this.#handlers.clear();
    for (const [signal, listeners] of this.#others) for (const listener of listeners) process.on(signal, listener);
    this.#others.clear();
    clearTimeout(this.#escalation);
  }

  /**
   * Call after the command exited. When a terminating signal was received, waits until the
   * command's tree is gone, sending SIGKILL once the grace since that signal has passed; gives up
   * {@link AFTER_KILL_WAIT_MS} after SIGKILL (a process stuck in the kernel cannot be waited for).
   */
  async settle(): Promise<void> {
    clearTimeout(this.#escalation);
    if (this.#received === null) return;
    let killedAt: number | undefined;
    while (this.#treeAlive()) {
      const now = Date.now();
      if (killedAt === undefined && now >= this.#receivedAt + this.#options.killAfterMs) {
        this.#kill();
        killedAt = now;
      }
      if (killedAt !== undefined && now - killedAt > AFTER_KILL_WAIT_MS) return;
      await sleep(POLL_MS);
    }
  }

  #onSignal(signal: NodeJS.Signals): void {
    const { pid, foreground } = this.#options;
    if (TERMINATING.has(signal) && this.#received === null) {
      this.#received = signal;
      this.#receivedAt = Date.now();
      if (foreground) this.#snapshotTree();
    }
    if (foreground) {
      if (!(FROM_TERMINAL.has(signal) && inTerminalForeground())) sendSignal(pid, signal);
    } else {
      sendSignal(-pid, signal);
    }
    if (ESCALATING.has(signal) && this.#escalation === undefined) {
      this.#escalation = setTimeout(() => {
        if (this.#treeAlive()) this.#kill();
      }, this.#options.killAfterMs);
    }
  }

  #snapshotTree(): void {
    this.#tree.add(this.#options.pid);
    for (const pid of descendants(this.#options.pid)) this.#tree.add(pid);
  }

  #treeAlive(): boolean {
    if (!this.#options.foreground) return groupAlive(this.#options.pid);
    this.#snapshotTree();
    return [...this.#tree].some((pid) => {
      const stat = readStat(pid);
      return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
    });
  }

  #kill(): void {
    this.#killedAfterMs = this.#options.killAfterMs;
    if (this.#options.foreground) {
      this.#snapshotTree();
      for (const pid of this.#tree) sendSignal(pid, 'SIGKILL');
    } else {
      sendSignal(-this.#options.pid, 'SIGKILL');
    }
  }
}
