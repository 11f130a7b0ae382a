/**
 * Human formats for the terminal views. JSON never uses these: it keeps ISO 8601 UTC strings and
 * ms numbers (DESIGN §4).
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A duration in ms as people read it: `340ms`, `1.2s`, `42s`, `3m 12s`, `5h 7m`, `2d 3h`.
 * Two units at most, the smaller one dropped when zero. null → `-`.
 */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  const abs = Math.max(0, ms);
  if (abs < SECOND) return `${Math.round(abs)}ms`;
  if (abs < 10 * SECOND) return `${(Math.floor(abs / 100) / 10).toFixed(1)}s`;
  if (abs < MINUTE) return `${Math.floor(abs / SECOND)}s`;
  const units: Array<[number, string]> = [
    [DAY, 'd'],
    [HOUR, 'h'],
    [MINUTE, 'm'],
    [SECOND, 's'],
  ];
  const i = units.findIndex(([size]) => abs >= size);
  const [bigSize, big] = units[i]!;
  const [smallSize, small] = units[i + 1]!;
  const whole = Math.floor(abs / bigSize);
  const rest = Math.floor((abs - whole * bigSize) / smallSize);
  return rest === 0 ? `${whole}${big}` : `${whole}${big} ${rest}${small}`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** ms since epoch → `2026-11-30 13:00:01` in the local time zone of the terminal. null → `-`. */
export function formatLocalTime(ms: number | null): string {
  if (ms === null) return '-';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * A metric value, short but exact where it can be: the shortest round-trip form when it has at
 * most 10 characters (`0.9571`, `0.000045`), else 6 significant digits (`0.333333`). NaN/±Infinity as `nan`/`inf`/`-inf`.
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const plain = String(value);
  if (plain.length <= 10) return plain;
  return String(Number(value.toPrecision(6)));
}

/** A count with thousands separators: `1,234,567`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A count and its noun, plural unless 1: `1 line`, `50,005 lines`. */
export function countOf(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * A command line for display on one line, quoted as a POSIX shell (bash, zsh, ksh) would read it back
 * to the same argv: plain words as they are; an argument with spaces or shell characters in single
 * quotes (`'it'\''s'`); an argument holding a control character (newline, tab, ESC…) as `$'…'`
 * with C escapes (`$'import sys\nprint(1)'`), so the line never breaks. The one helper every
 * place that shows a command uses.
 */
export function formatCommand(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}

const CONTROL = /[\x00-\x1f\x7f]/;
const SHELL_SPECIAL = /[\s'"\\$`!*?;&|<>(){}[\]#~]/;
const C_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\e', '\\': '\\\\', "'": "\\'" };

function quoteArg(arg: string): string {
  if (CONTROL.test(arg)) {
    return `$'${arg.replace(/[\x00-\x1f\x7f\\']/g, (c) => C_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
  }
  if (arg === '' || SHELL_SPECIAL.test(arg)) return `'${arg.replaceAll("'", `'\\''`)}'`;
  return arg;
}

/** The binary units of {@link formatBytes}, 1024 apart. */
export const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Bytes in binary units with one decimal from KiB on: `512 B`, `3.1 GiB`. */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** `peak 3.1 GiB · CPU 7h 2m` (user + system CPU of the tree; no peak before the first sample), the summary line's tail (issue 16). */
export function formatUsage(usage: { peakRssBytes: number | null; userCpuMs: number; systemCpuMs: number }): string {
  const cpu = `CPU ${formatDuration(usage.userCpuMs + usage.systemCpuMs)}`;
  return usage.peakRssBytes === null ? cpu : `peak ${formatBytes(usage.peakRssBytes)} · ${cpu}`;
}

/**
 * An ended execution's outcome on one line, as the pages show it: the exit code and the signal,
 * each unless the reason already says it (src/runner/classify.ts writes `exited with code 3`,
 * `killed by SIGTERM` into it), then the reason: `exit code 0`, `exited with code 3; …`,
 * `exit code 143 · killed by SIGTERM`, `lost contact …`; `-` when there is nothing to say.
 */
export function formatOutcome(e: { exitCode: number | null; signal: string | null; reason: string | null }): string {
  const reason = e.reason ?? '';
  const parts = [
    e.exitCode !== null && !reason.includes(`code ${e.exitCode}`) ? `exit code ${e.exitCode}` : null,
    e.signal && !reason.includes(e.signal) ? `signal ${e.signal}` : null,
    e.reason,
  ].filter((part) => part);
  return parts.length > 0 ? parts.join(' \u00b7 ') : '-';
}
