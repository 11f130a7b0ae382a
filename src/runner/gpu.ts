import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { SYSTEM_METRIC_PREFIX } from '../protocol/system-metrics.js';
import type { ExplicitPoint } from '../protocol/types.js';

/** The columns asked of nvidia-smi, in this order, with the metric each becomes and its unit factor. */
const COLUMNS = [
  { query: 'utilization.gpu', metric: 'util_pct', factor: 1 },
  { query: 'memory.used', metric: 'mem_bytes', factor: 1024 * 1024 }, // MiB
  { query: 'power.draw', metric: 'power_w', factor: 1 },
  { query: 'temperature.gpu', metric: 'temp_c', factor: 1 },
] as const;

/** Options of {@link GpuMonitor.start}. */
export interface GpuMonitorOptions {
  /** How often nvidia-smi prints a reading (ms). */
  intervalMs: number;
  /** PATH to look for nvidia-smi in. */
  path: string | undefined;
  /** Receives the points of each reading (`sys/gpu<index>/<metric>`). */
  onPoints: (points: ExplicitPoint[]) => void;
  /** One note when nvidia-smi fails (exits, prints something else); called at most once. */
  note: (message: string) => void;
}

/**
 * Per-GPU utilisation %, memory used, power and temperature from one long-lived
 * `nvidia-smi --query-gpu=… --format=csv,noheader,nounits -lms <interval>` (issue 16): one process
 * for the whole run instead of one per sample, read as its lines come, so a slow or hanging
 * nvidia-smi never holds the wrapper up. No nvidia-smi on PATH → nothing, silently (most machines
 * have no GPU); one that fails → one note, nothing more. `[N/A]` fields are skipped.
 */
export class GpuMonitor {
  readonly #child: ChildProcess;
  readonly #options: GpuMonitorOptions;
  readonly #steps = new Map<string, number>();
  #stopped = false;
  #noted = false;

  private constructor(child: ChildProcess, options: GpuMonitorOptions) {
    this.#child = child;
    this.#options = options;
  }

  /** Starts nvidia-smi when it is on PATH; undefined otherwise. Never throws. */
  static start(options: GpuMonitorOptions): GpuMonitor | undefined {
    const program = findOnPath('nvidia-smi', options.path);
    if (!program) return undefined;
    const query = ['index', ...COLUMNS.map((c) => c.query)].join(',');
    const args = [`--query-gpu=${query}`, '--format=csv,noheader,nounits', '-lms', String(Math.max(1, Math.round(options.intervalMs)))];
    // its own process group, so stop() also ends what a wrapper script around it started
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const monitor = new GpuMonitor(child, options);
    monitor.#listen();
    return monitor;
  }

  /** Ends nvidia-smi without waiting for it. */
  stop(): void {
    this.#stopped = true;
    if (this.#child.pid !== undefined && this.#child.exitCode === null && this.#child.signalCode === null) {
      try {
        process.kill(-this.#child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.#child.stdout?.destroy();
    this.#child.stderr?.destroy();
  }

  #listen(): void {
    const child = this.#child;
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => void (stderr.length < 1000 && (stderr += chunk.toString())));
    // node:readline loaded only here, where there is a GPU (B4); the pipe keeps what comes meanwhile
    void import('node:readline').then(({ createInterface }) => createInterface({ input: child.stdout! }).on('line', (line) => this.#onLine(line)));
    child.on('error', (error) => this.#fail(`could not start nvidia-smi (${error.message})`));
    child.on('exit', (code, signal) => {
      const why = stderr.trim().split('\n')[0] ?? '';
      if (!this.#stopped) this.#fail(`nvidia-smi ended (${signal ?? `exit ${code}`})${why ? `: ${why}` : ''}`);
    });
  }

  #onLine(line: string): void {
    if (this.#stopped || line.trim() === '') return;
    const ts = Date.now();
    const cells = line.split(',').map((cell) => cell.trim());
    const index = Number.parseInt(cells[0] ?? '', 10);
    if (cells.length !== COLUMNS.length + 1 || !Number.isInteger(index)) {
      this.#fail(`nvidia-smi printed an unexpected line (${JSON.stringify(line.slice(0, 80))})`);
      this.stop();
      return;
    }
    const points: ExplicitPoint[] = [];
    COLUMNS.forEach((column, i) => {
      const value = Number(cells[i + 1]);
      // `[N/A]`, `[Not Supported]`: this GPU does not report it
      if (cells[i + 1] === '' || !Number.isFinite(value)) return;
      const key = `${SYSTEM_METRIC_PREFIX}gpu${index}/${column.metric}`;
      const step = (this.#steps.get(key) ?? -1) + 1;
      this.#steps.set(key, step);
      points.push({ key, value: value * column.factor, step, ts });
    });
    if (points.length > 0) this.#options.onPoints(points);
  }

  #fail(message: string): void {
    if (this.#noted) return;
    this.#noted = true;
    this.#options.note(`no GPU samples: ${message}.`);
  }
}

/** The first executable `name` in the directories of `path`, without starting a process. */
function findOnPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
