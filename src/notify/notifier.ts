import type { Clock } from '../clock.js';
import type { Store } from '../store/store.js';
import { pageUrl } from '../web/links.js';
import { Dispatcher } from './dispatch.js';
import type { NotifyOptions } from './options.js';
import { scanRule } from './scan.js';

/**
 * The notification loop of a server (or of a `run` wrapper in embedded mode): every `scanMs` it
 * evaluates every rule of the store ({@link scanRule}), queues what it found in the outbox, and sends
 * what is due ({@link Dispatcher}). Everything it knows is in the store, so a restart (or another
 * instance) continues where it stopped.
 */
export class Notifier {
  readonly #store: Store;
  readonly #options: NotifyOptions;
  readonly #clock: Clock;
  readonly #log: (line: string) => void;
  readonly #dispatcher: Dispatcher;
  #base: string;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  /** @param base the URL pages are linked from (`http://host:port`); {@link start} may set the real one. */
  constructor(store: Store, options: NotifyOptions, deps: { clock: Clock; log: (line: string) => void; base: string }) {
    this.#store = store;
    this.#options = options;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#base = deps.base;
    this.#dispatcher = new Dispatcher(store.notify, {
      retry: options.retry,
      timeoutMs: options.timeoutMs,
      leaseMs: options.leaseMs,
      clock: deps.clock,
      log: deps.log,
    });
  }

  /** Runs {@link tick} every `scanMs`; `base` replaces the link base (known once the server listens). */
  start(base?: string): void {
    if (base) this.#base = base;
    this.#timer = setInterval(() => void this.tick(), this.#options.scanMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a round in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One round (never two at once; a call during a round waits for it): scan every rule, then send what is due until `until`. Never throws. */
  tick(until?: number): Promise<void> {
    this.#running ??= this.#round(until).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #round(until?: number): Promise<void> {
    try {
      const ctx = { store: this.#store, now: this.#clock(), link: (id: string) => pageUrl(this.#base, id), sessionGraceMs: this.#options.sessionGraceMs };
      for (const rule of await this.#store.notify.listRules()) await this.#store.notify.enqueue(await scanRule(ctx, rule));
      await this.#dispatcher.drain(until);
    } catch (error) {
      // the message may name ids, which the server's log never carries (issue 4 point 6)
      this.#log(`exec-track: notification round failed (${(error as { code?: string }).code ?? (error as Error).name})`);
    }
  }
}
