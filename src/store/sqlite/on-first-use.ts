/**
 * A table of values made on first use: `table.key` calls `makers.key()` once, then holds its result.
 * The SQLite store's prepared statements are made so: a `run` uses a handful of its ~60, and
 * preparing them all took ~20 ms of every start (B4, docs/benchmarks.md "Start-up").
 */
export function onFirstUse<T extends Record<string, () => unknown>>(makers: T): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const table = {} as { [K in keyof T]: ReturnType<T[K]> };
  for (const key of Object.keys(makers) as (keyof T & string)[]) {
    Object.defineProperty(table, key, {
      configurable: true,
      enumerable: true,
      get() {
        const value = makers[key]!();
        Object.defineProperty(table, key, { value, enumerable: true });
        return value;
      },
    });
  }
  return table;
}
