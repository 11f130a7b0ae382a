import type pg from 'pg';
import { createClient, type Pool } from './connection.js';

/** Handlers of a {@link PgChannel}. */
export interface ChannelHandlers {
  /** A notification's payload (from any instance, this one included). */
  message: (payload: string) => void;
  /** The LISTEN connection is back after a break: notifications in between are lost, so catch up. */
  reconnected: () => void;
  /** A break or a failed send, for the server's log (never thrown). */
  problem: (line: string) => void;
}

/** Largest payload PostgreSQL accepts in a NOTIFY is 8 000 bytes; stay below it. */
export const MAX_PAYLOAD_BYTES = 7_900;
/** Reconnect delays of the LISTEN connection, growing to this. */
const MAX_BACKOFF_MS = 5_000;

/**
 * One PostgreSQL LISTEN/NOTIFY channel per server instance (issue 13 point 3): one dedicated
 * connection LISTENs (never one per follower or browser socket), sends go through the pool
 * outside any write transaction, so a NOTIFY never holds a commit (PostgreSQL serialises commits of
 * transactions that notified). The connection is reopened with backoff after a break.
 */
export class PgChannel {
  readonly #url: string;
  readonly #pool: Pool;
  readonly #name: string;
  readonly #handlers: ChannelHandlers;
  #client: pg.Client | undefined;
  #closed = false;
  #backoff = 100;
  #timer: NodeJS.Timeout | undefined;

  private constructor(url: string, pool: Pool, name: string, handlers: ChannelHandlers) {
    this.#url = url;
    this.#pool = pool;
    this.#name = name;
    this.#handlers = handlers;
  }

  /** Opens the LISTEN connection on channel `name` (a plain identifier). Throws when the first connection fails. */
  static async open(url: string, pool: Pool, name: string, handlers: ChannelHandlers): Promise<PgChannel> {
    const channel = new PgChannel(url, pool, name, handlers);
    await channel.#connect();
    return channel;
  }

  /** Sends one payload (at most {@link MAX_PAYLOAD_BYTES} bytes) to every instance; a failure is reported, not thrown. */
  async notify(payload: string): Promise<void> {
    try {
      await this.#pool.query('SELECT pg_notify($1, $2)', [this.#name, payload]);
    } catch (error) {
      this.#handlers.problem(
        `exec-track: a notification to the other instances failed (${(error as Error).message}); their followers catch up on the next one`,
      );
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = createClient(this.#url);
    client.on('notification', (n) => {
      if (n.channel === this.#name && n.payload !== undefined) this.#handlers.message(n.payload);
    });
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    await client.connect();
    await client.query(`LISTEN ${this.#name}`);
    this.#client = client;
    this.#backoff = 100;
  }

  #lost(client: pg.Client): void {
    if (this.#closed || client !== this.#client) return;
    this.#client = undefined;
    this.#handlers.problem('exec-track: the PostgreSQL LISTEN connection broke; reconnecting');
    client.end().catch(() => undefined);
    this.#retry();
  }

  #retry(): void {
    this.#timer = setTimeout(() => {
      this.#connect().then(
        () => this.#handlers.reconnected(),
        () => {
          this.#backoff = Math.min(MAX_BACKOFF_MS, this.#backoff * 2);
          this.#retry();
        },
      );
    }, this.#backoff);
    this.#timer.unref();
  }
}
