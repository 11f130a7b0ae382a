import { engineSafe, type Pool } from './connection.js';

/**
 * The per-IP request counter shared by every instance (table `rate_windows`, UNLOGGED): one row
 * per key and fixed window, counted with one upsert per request, so the count is the same on
 * every instance. Keys are HMACs of IPs (src/server/shared/), never IPs.
 */
export class RateWindows {
  readonly #pool: Pool;
  #swept = 0;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  /** Counts one hit of `key` in the window starting at `windowStart` (ms); returns the window's count so far. Forgets ended windows once per window. */
  async hit(key: string, windowStart: number): Promise<number> {
    return engineSafe(async () => {
      if (this.#swept !== windowStart) {
        await this.#pool.query('DELETE FROM rate_windows WHERE window_start < $1', [windowStart]);
        this.#swept = windowStart;
      }
      const { rows } = await this.#pool.query<{ count: number }>(
        `INSERT INTO rate_windows (key, window_start, count) VALUES ($1, $2, 1)
         ON CONFLICT (key, window_start) DO UPDATE SET count = rate_windows.count + 1 RETURNING count`,
        [key, windowStart],
      );
      return rows[0]!.count;
    });
  }
}
