import { SYSTEM_METRIC_PREFIX } from '../protocol/system-metrics.js';
import type { ExplicitPoint, ResourceUsage } from '../protocol/types.js';
import { GpuMonitor } from './gpu.js';
import { ProcessTreeSampler, type TreeSample } from './resources.js';

/** Options of {@link startSampling}. */
export interface SamplingOptions {
  /** The command's PID (root of the sampled tree). */
  pid: number;
  /** Time between samples (ms). */
  intervalMs: number;
  /** PATH to look for nvidia-smi in. */
  path: string | undefined;
  /** Where the points go (the sink's explicit-points path). */
  write: (points: ExplicitPoint[]) => void;
  /** One-line notes for the user. */
  note: (message: string) => void;
}

/** A running resource sampling of one command. */
export interface Sampling {
  /**
   * Call when the command has exited (and been reaped): stops the timer and nvidia-smi and returns
   * the run's usage. Idempotent.
   */
  stop(): ResourceUsage;
}

/** The tree's series, in the order they are written. */
const SERIES: ReadonlyArray<[keyof Omit<TreeSample, 'ts'>, string]> = [
  ['cpuPct', 'cpu_pct'],
  ['rssBytes', 'rss_bytes'],
  ['readBytes', 'read_bytes'],
  ['writeBytes', 'write_bytes'],
];

/**
 * Samples the command's process tree every `intervalMs` into `sys/cpu_pct`, `sys/rss_bytes`,
 * `sys/read_bytes`, `sys/write_bytes` (step = sample number) and, where nvidia-smi exists, its GPUs
 * (src/runner/gpu.ts). The timer never keeps the wrapper alive; a failing read never reaches the command.
 */
export function startSampling(options: SamplingOptions): Sampling {
  const sampler = new ProcessTreeSampler(options.pid, Date.now());
  let step = 0;
  const timer = setInterval(() => {
    const sample = sampler.sample();
    if (!sample) return;
    options.write(SERIES.map(([field, name]) => ({ key: `${SYSTEM_METRIC_PREFIX}${name}`, value: sample[field], step, ts: sample.ts })));
    step += 1;
  }, options.intervalMs).unref();
  const gpu = GpuMonitor.start({ intervalMs: options.intervalMs, path: options.path, onPoints: options.write, note: options.note });
  let usage: ResourceUsage | undefined;
  return {
    stop() {
      if (usage) return usage;
      clearInterval(timer);
      usage = sampler.usage();
      gpu?.stop();
      return usage;
    },
  };
}
