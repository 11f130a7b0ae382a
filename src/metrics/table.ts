import type { ParsedMetric } from './parse.js';
import { ASCII_SPACE, firstChars, startsWithOneOf } from './first-char.js';
import { asStep, parseMetricValue } from './value.js';

/** Keys whose whole value is the line's step, most specific first (compared on the key's last word). */
const STEP_KEYS = ['step', 'global_step', 'iteration', 'iter', 'epoch'];
/** The rank of `epoch` in {@link STEP_KEYS}: only an epoch multiplies a position `[a/b]` (docs/metrics.md). */
export const EPOCH_RANK = STEP_KEYS.indexOf('epoch');

/** The rank of `key` among {@link STEP_KEYS} by its last word, any case; Infinity for other keys. */
export function stepKeyRank(key: string): number {
  const last = key.slice(key.lastIndexOf(' ') + 1).toLowerCase();
  const rank = STEP_KEYS.indexOf(last);
  return rank === -1 ? Number.POSITIVE_INFINITY : rank;
}

/** Cells are separated by two or more spaces or a tab. */
const GAP = /\s{2,}|\t/;
/** A column name: one to three words of letters (`Iter`, `Train Loss`, `OOB Improve`, `val_acc`). */
const COLUMN = /^[A-Za-z][\w.@%()/-]*(?: [A-Za-z][\w.@%()/-]*){0,2}$/;
/** What a header row starts with: white space trimmed off, or a {@link COLUMN}'s first letter. */
const HEADER_START = firstChars(`${ASCII_SPACE}ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz`);
/** A row cell: a number, optionally with a unit (`0.33s`, `12%`); only plain numbers are points. */
const CELL = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?[A-Za-z%]{0,3}$/;

/**
 * The column names of a table header row (GradientBoosting's `Iter  Train Loss  OOB Improve …`),
 * or undefined when `text` is not one: at least two names separated by two or more spaces.
 */
export function tableHeader(text: string): string[] | undefined {
  if (!startsWithOneOf(text, HEADER_START) || !text.includes('  ')) return undefined;
  const cells = text.trim().split(GAP);
  if (cells.length < 2 || !cells.every((c) => COLUMN.test(c))) return undefined;
  return cells;
}

/**
 * The points of a row under `columns`: one per plain-number cell, keyed by its column; a step
 * column (`Iter`, `Epoch`, …) with a whole number gives the row's step. Undefined when `text` is
 * not a row of that table (another number of cells, a cell that is not a number).
 */
export function tableRow(text: string, columns: readonly string[]): ParsedMetric[] | undefined {
  const cells = text.trim().split(GAP);
  if (cells.length !== columns.length || !cells.every((c) => CELL.test(c))) return undefined;
  const found: ParsedMetric[] = [];
  let stepRank = Number.POSITIVE_INFINITY;
  let step: number | undefined;
  for (let i = 0; i < cells.length; i++) {
    const value = parseMetricValue(cells[i]!);
    if (value === undefined) continue;
    found.push({ key: columns[i]!, value });
    const rank = stepKeyRank(columns[i]!);
    if (rank < stepRank && asStep(value) !== undefined) {
      stepRank = rank;
      step = value;
    }
  }
  if (found.length === 0) return undefined;
  if (step !== undefined) for (const p of found) p.step = step;
  return found;
}
