import { readdirSync, readFileSync } from 'node:fs';

/** Fields of `/proc/<pid>/stat` (proc(5)) that process-group handling needs. */
export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  /** Foreground process group of the controlling terminal, -1 without one. */
  tpgid: number;
  /** CPU time in clock ticks (USER_HZ, 100 per second on Linux): own user and system, and of reaped children. */
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

/** Reads `/proc/<pid>/stat` (Linux); undefined when the process is gone or /proc is unavailable. */
export function readStat(pid: number | 'self'): ProcStat | undefined {
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // the command name in parentheses may contain spaces and parentheses: split after the last ')'
  const close = raw.lastIndexOf(')');
  const fields = raw.slice(close + 2).split(' ');
  return {
    pid: Number.parseInt(raw, 10),
    state: fields[0]!,
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    tpgid: Number(fields[5]),
    utime: Number(fields[11]),
    stime: Number(fields[12]),
    cutime: Number(fields[13]),
    cstime: Number(fields[14]),
  };
}

/** Live (non-zombie) processes from /proc; undefined when /proc cannot be read. */
function liveProcesses(): ProcStat[] | undefined {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const stats: ProcStat[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat && stat.state !== 'Z' && stat.state !== 'X') stats.push(stat);
  }
  return stats;
}

/**
 * True while process group `pgid` has a member that is not a zombie. `kill(-pgid, 0)` answers
 * "no member" cheaply; zombies also answer it, and they last when PID 1 does not reap, so on Linux
 * the members found are then checked in /proc.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const processes = liveProcesses();
  return processes === undefined || processes.some((stat) => stat.pgrp === pgid);
}

/** PIDs of the live descendants of `pid` (Linux /proc; empty elsewhere). */
export function descendants(pid: number): number[] {
  return treeStats(pid)
    .filter((stat) => stat.pid !== pid)
    .map((stat) => stat.pid);
}

/** /proc stats of `pid` (when alive) and its live descendants; empty when /proc cannot be read. */
export function treeStats(pid: number): ProcStat[] {
  const processes = liveProcesses() ?? [];
  const found = processes.filter((stat) => stat.pid === pid);
  let frontier = new Set([pid]);
  while (frontier.size > 0) {
    const next = processes.filter((stat) => frontier.has(stat.ppid));
    found.push(...next);
    frontier = new Set(next.map((stat) => stat.pid));
  }
  return found;
}

/**
 * True when this process's group is the foreground group of its terminal (`pgrp == tpgid` in
 * /proc/self/stat): then a Ctrl-C typed there has already signalled every process of the group.
 */
export function inTerminalForeground(): boolean {
  const stat = readStat('self');
  return stat !== undefined && stat.tpgid > 0 && stat.pgrp === stat.tpgid;
}

/** Sends `signal` to a process group or process, ignoring ESRCH (already gone). */
export function sendSignal(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
