import { readFileSync } from 'node:fs';
import type { ResourceUsage } from '../protocol/types.js';
import { readStat, treeStats, type ProcStat } from './process-group.js';

/** Clock ticks per second of /proc's CPU times: USER_HZ, fixed at 100 in Linux's user-space ABI. */
const TICKS_PER_SECOND = 100;
const MS_PER_TICK = 1000 / TICKS_PER_SECOND;

/** One reading of the command's process tree. */
export interface TreeSample {
  /** ms since epoch UTC. */
  ts: number;
  /** CPU use since the previous sample, 100 = one core busy. */
  cpuPct: number;
  /** Resident memory, summed over the tree's processes (bytes). */
  rssBytes: number;
  /** Storage bytes read and written by the tree so far (proc(5) `read_bytes`/`write_bytes`). */
  readBytes: number;
  writeBytes: number;
}

/** Sums over the live tree; CPU in ticks (own + reaped children's), I/O in bytes. */
interface Totals {
  user: number;
  system: number;
  read: number;
  write: number;
}

/**
 * Samples the process tree rooted at `pid` from Linux /proc (issue 16): CPU %, summed resident
 * memory, storage I/O, and the run's {@link ResourceUsage} as GNU `time -v` would tell it.
 *
 * Counters are sums over the live tree of each process's own times plus those of the children it
 * reaped, so a child that ends inside the tree moves its time to its parent without a jump; a
 * process that leaves the tree (orphaned to init) can only make a sum fall, and falls are not
 * counted. The wrapper's own reaped-children times (`/proc/self/stat`), read when the command has
 * been reaped, give the exact CPU total where no process escaped. Without /proc every reading is zero.
 */
export class ProcessTreeSampler {
  readonly #pid: number;
  readonly #selfAtStart: ProcStat | undefined;
  #last: { ts: number; totals: Totals };
  #accumulated: Totals = { user: 0, system: 0, read: 0, write: 0 };
  #peakRss = 0;
  #sampled = false;

  /** Call right after the command was spawned (before it can have been reaped). */
  constructor(pid: number, now: number) {
    this.#pid = pid;
    this.#selfAtStart = readStat('self');
    this.#last = { ts: now, totals: { user: 0, system: 0, read: 0, write: 0 } };
  }

  /**
   * Reads the tree now; undefined once it is gone (nothing to sample). The sample's time (ms since
   * epoch, from `clock`) is read right after the CPU times: read before them, a wrapper descheduled in
   * between (a loaded machine) would divide more CPU time by less wall time (122 % for one busy core
   * was seen).
   */
  sample(clock: () => number = Date.now): TreeSample | undefined {
    const processes = treeStats(this.#pid);
    const now = clock();
    if (processes.length === 0) return undefined;
    this.#sampled = true;
    const totals: Totals = { user: 0, system: 0, read: 0, write: 0 };
    let rss = 0;
    for (const stat of processes) {
      totals.user += stat.utime + stat.cutime;
      totals.system += stat.stime + stat.cstime;
      const memory = readMemory(stat.pid);
      rss += memory.rss;
      // one process's own high-water mark catches a peak that fell between two samples
      this.#peakRss = Math.max(this.#peakRss, memory.hwm);
      const io = readIo(stat.pid);
      totals.read += io.read;
      totals.write += io.write;
    }
    this.#peakRss = Math.max(this.#peakRss, rss);
    const rises = (key: keyof Totals) => Math.max(0, totals[key] - this.#last.totals[key]);
    const cpuTicks = rises('user') + rises('system');
    for (const key of ['user', 'system', 'read', 'write'] as const) this.#accumulated[key] += rises(key);
    const elapsedMs = Math.max(1, now - this.#last.ts);
    this.#last = { ts: now, totals };
    return {
      ts: now,
      cpuPct: (cpuTicks * MS_PER_TICK * 100) / elapsedMs,
      rssBytes: rss,
      readBytes: this.#accumulated.read,
      writeBytes: this.#accumulated.write,
    };
  }

  /**
   * Peak memory and CPU time so far. Call once the command has been reaped (its `exit` event) and
   * before any other child of the wrapper is: the wrapper's reaped-children CPU then counts the
   * command's whole waited-for tree, to the end (samples miss the time after the last one).
   */
  usage(): ResourceUsage {
    const self = readStat('self');
    const start = this.#selfAtStart;
    const reapedUser = self && start ? self.cutime - start.cutime : 0;
    const reapedSystem = self && start ? self.cstime - start.cstime : 0;
    return {
      peakRssBytes: this.#sampled ? this.#peakRss : null,
      userCpuMs: Math.max(reapedUser, this.#accumulated.user) * MS_PER_TICK,
      systemCpuMs: Math.max(reapedSystem, this.#accumulated.system) * MS_PER_TICK,
    };
  }
}

/** VmRSS and VmHWM of /proc/<pid>/status in bytes (0 when gone or a kernel thread). */
function readMemory(pid: number): { rss: number; hwm: number } {
  const status = readProc(`/proc/${pid}/status`);
  return { rss: kib(status, 'VmRSS'), hwm: kib(status, 'VmHWM') };
}

/** `read_bytes` and `write_bytes` of /proc/<pid>/io (0 when gone or not readable). */
function readIo(pid: number): { read: number; write: number } {
  const io = readProc(`/proc/${pid}/io`);
  return { read: field(io, 'read_bytes'), write: field(io, 'write_bytes') };
}

function readProc(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function kib(text: string, name: string): number {
  return field(text, name) * 1024;
}

function field(text: string, name: string): number {
  const at = text.indexOf(`${name}:`);
  return at === -1 ? 0 : Number.parseInt(text.slice(at + name.length + 1).trimStart(), 10) || 0;
}
