/**
 * Metric keys under this prefix are the wrapper's own resource samples (issue 16): `sys/cpu_pct`,
 * `sys/rss_bytes`, `sys/read_bytes`, `sys/write_bytes`, `sys/gpu<N>/util_pct`, `…/mem_bytes`,
 * `…/power_w`, `…/temp_c`. A run's lines cannot write them (the store skips parsed keys with this
 * prefix), and reports show them apart from the run's own metrics.
 */
export const SYSTEM_METRIC_PREFIX = 'sys/';

/** True for a key under {@link SYSTEM_METRIC_PREFIX}. */
export function isSystemMetric(key: string): boolean {
  return key.startsWith(SYSTEM_METRIC_PREFIX);
}

/** Splits summaries (or any per-key record) into the run's own keys and the `sys/…` ones, for reports that show them apart. */
export function partitionMetrics<T>(byKey: Record<string, T>): { own: Record<string, T>; system: Record<string, T> } {
  const own: Record<string, T> = {};
  const system: Record<string, T> = {};
  for (const [key, value] of Object.entries(byKey)) (isSystemMetric(key) ? system : own)[key] = value;
  return { own, system };
}
