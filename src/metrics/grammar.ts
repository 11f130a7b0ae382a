import type { ParsedMetric, StreamContext } from './parse.js';
import { asStep, tokenValue } from './value.js';
import { ASCII_SPACE, firstChars, startsWithOneOf } from './first-char.js';
import { EPOCH_RANK, stepKeyRank, tableRow, tableHeader } from './table.js';

/**
 * A key word: starts with a letter or `_`, may contain `.`, `-`, `/`, `@` inside, ends with a word
 * character — or with `-` right after `@N` (XGBoost's `map@3-`, `ndcg@5-`: "no relevant → 0").
 */
const KEY = String.raw`[A-Za-z_](?:[\w.\-/@]*\w)?(?:-(?<=@\d+-))?`;
/** An unsigned number: decimal, scientific or Fortran (`6.93147D-01`). */
const UNUM = String.raw`(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+|[dD][-+]\d+)?`;
/** A value token: signed number, or nan/inf/infinity. */
const NUM = String.raw`[-+]?${UNUM}|[-+]?(?:[nN][aA][nN]|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)`;
/**
 * A value with what may follow it: a `±std` (`0.51245+0.00601`), after a colon a ratio
 * (`Accuracy: 164/200`; `batch=3/10` is a progress counter, no value) or a `%`. Then it must
 * not run on into a word, a path, a dotted address or a clock; a `.` or `:` is allowed only before
 * a space or the end (a sentence's full stop, tqdm's `desc: `).
 */
const valueWithTail = (ratio: boolean) =>
  String.raw`(${NUM})(?:(?:\+|\s?\u00b1\s?|\s?\+/-\s?)(${UNUM})${ratio ? String.raw`|/(\d+)` : ''})?%?(?![\w/(])(?![.:]\S)`;
/**
 * What may follow a `key: value` pair: the end of the line (or a full stop ending it), a closing or list delimiter, a Keras
 * ` - `, tqdm's `: `, `, ` before another key, a `[` (PyTorch's `[  50/ 600]`), a ratio's `(82%)`,
 * or another pair, also in parentheses (`loss: 0.5 (avg: 0.6)`).
 */
const AFTER_COLON = String.raw`(?=\s*(?:$|[;|}\])]|-\s|:\s)|\.\s*$|\s*,\s*['"]?[A-Za-z_][\w .@\-/]{0,40}['"]?\s*[:=]|\s+\[|\s+\(\d+%\)|\s+\(?['"]?${KEY}['"]?\s*[:=]\s*(?:${NUM})|\s*(,))`;

/** A whole number as printed: `host:8080` has one right after an unquoted key's colon. */
const INTEGER = /^[-+]?\d+$/;

/**
 * One pair: optional quote, key, same quote, `=` or `:`, value. The key must not continue a word,
 * a number, a path, a query string or a call's argument list (`125.3it/s`, `--lr`, `?page=2`,
 * `Parallel(n_jobs=1)`); no tab before a colon (`/proc` dumps).
 */
const PAIR = new RegExp(
  String.raw`(?<![\w.\-/?&]|\w\()(?!(?<=\w,)[A-Za-z_])(['"]?)(${KEY})\1(?:\s*=\s*${valueWithTail(false)}| ?:(\s*)${valueWithTail(true)}${AFTER_COLON})`,
  'g',
);

/**
 * Cheap test that a line could hold a pair at all: the end of a key (a letter, or a letter then digits:
 * `f1`, `mAP50`, `ndcg@5`, `map@3-`), a separator, something number-like. Most log lines (timestamps
 * like `12:00:01` included) stop here.
 */
const PREFILTER = /[A-Za-z_](?:@?\d+-?)?['"]?\s*[=:]\s*[-+]?(?:\d|\.\d|nan|inf)/i;

/** `Epoch 2: …`, `Iteration 5, …`, `step 10 …`, `Epoch 3/10`: a step word followed by a whole number. */
const STEP_WORD = /(?<![\w])(epoch|step|iteration|iter)\s+(\d+)(?![\d.])/i;
/** An epoch printed as a position: `Epoch [1/2]`, `epoch [ 3/10]` (the epoch is the first number). */
const EPOCH_POSITION = /(?<![\w])epoch\s*\[\s*(\d+)\s*\/\s*\d+\s*\]/i;
/** `= value;` then the end of the line: a code statement's end. */
const STATEMENT_END = /^;\s*$/;
/** A line that is only a step header: `Epoch 3/10`, `-- Epoch 1`, `Iteration 7`. */
const STEP_HEADER = /^[\s\-=#*[(]*(epoch|step|iteration|iter)\s*:?\s*(\d+)(?:\s*\/\s*\d+)?[\s\-=#*\]):]*$/i;
/** What a {@link STEP_HEADER} starts with: its leading class or a step word's first letter. */
const STEP_HEADER_START = firstChars(`${ASCII_SPACE}-=#*[(eEsSiI`);
/** XGBoost: `[12]\t…` at the start of the line. */
const STEP_BRACKET = /^\s*\[(\d+)\]\s/;
/** A position in an epoch: `[50/600]`, `[   50/  600]`, `[0/600 (0%)]`, `[3/12]`. */
const POSITION = /\[\s*(\d+)\s*\/\s*(\d+)\s*[\]\s(]/g;
/** A compiler's source excerpt: `    6 |     char c = 300;`, `      |     ^~~`. */
const SOURCE_EXCERPT = /^\s*\d*\s+\|\s/;
/** A kernel log line (`dmesg`): `[    0.160796] SLUB: HWalign=64, …`. */
const KERNEL_LOG = /^\[\s*\d+\.\d{6}\] /;
/** A qualifier word before a key: `train`, `Average`, `Avg.`. */
const QUALIFIER = /[A-Za-z][A-Za-z.]*$/;
/** At most this many qualifier words are kept in front of a key (`Test set: Average loss` → `Average loss`). */
const MAX_QUALIFIERS = 5;

/**
 * The default grammar (docs/metrics.md): `key=value` and `key: value` pairs with their qualifier
 * words, flat JSON and Python dicts, Keras, XGBoost and tqdm lines, column tables; the step comes
 * from a step key or word, a position `[a/b]`, a leading `[N]`, or what `context` carries from the
 * stream's earlier lines (which this call updates).
 */
export function parseDefault(text: string, context: StreamContext): ParsedMetric[] {
  if (context.columns) {
    const row = tableRow(text, context.columns);
    if (row) return row;
    context.columns = undefined;
  }
  if (!PREFILTER.test(text)) return noPairs(text, context);
  if (SOURCE_EXCERPT.test(text) || KERNEL_LOG.test(text)) return [];
  const found: ParsedMetric[] = [];
  let stepRank = Number.POSITIVE_INFINITY;
  let ownStep: number | undefined;
  let ownEpoch: number | undefined;
  let onlyCounts = true;
  PAIR.lastIndex = 0;
  for (let m = PAIR.exec(text); m !== null; m = PAIR.exec(text)) {
    const [, quote, word, byEquals, stdEquals, colonSpace, byColon, stdColon, ofColon, looseComma] = m;
    const token = byEquals ?? byColon!;
    if (byColon !== undefined && quote === '') {
      // aligned by a tab or spaces after the colon: a `/proc` or `lscpu` dump (`HugePages_Total:       0`,
      // `SigQ:\t1/96362`, `BogoMIPS:        4191.98`); a whole number tight after it is an address (`localhost:8080`)
      if (colonSpace!.length > 1 || colonSpace === '\t' || (colonSpace === '' && ofColon === undefined && INTEGER.test(byColon))) continue;
    }
    // `, ` and then no key: only after an earlier pair (`train loss: 0.6, val loss: 0.6, in 1.4s`; not `objects: 50, done.`)
    if (looseComma !== undefined && found.length === 0) continue;
    // `x = 5;` ending a line is a code statement, unless an earlier pair makes it a list (`epoch=1; loss=0.5;`)
    if (byEquals !== undefined && found.length === 0 && text.charCodeAt(PAIR.lastIndex) === 59 && STATEMENT_END.test(text.slice(PAIR.lastIndex))) continue;
    // qualifier words before `key: value` and `key = value` (`max depth = 7`), not before a tight `first step=1`
    const keyEnd = m.index + 2 * quote!.length + word!.length;
    const key = quote === '' && (byColon !== undefined || text.charCodeAt(keyEnd) === 32) ? qualified(text, m.index, word!) : word!;
    if (key === undefined) continue;
    const rank = stepKeyRank(key);
    // `Epoch: 1/3` is epoch 1 of 3, not the fraction a ratio elsewhere is
    const value = ofColon === undefined || rank !== Number.POSITIVE_INFINITY ? tokenValue(token) : tokenValue(token) / Number(ofColon);
    found.push({ key, value });
    if (byColon === undefined || !INTEGER.test(token) || ofColon !== undefined || stdEquals !== undefined || stdColon !== undefined || m[0].endsWith('%'))
      onlyCounts = false;
    const std = stdEquals ?? stdColon;
    if (std !== undefined) found.push({ key: `${key}-std`, value: tokenValue(std) });
    if (rank < stepRank && asStep(value) !== undefined) {
      stepRank = rank;
      ownStep = value;
    }
    if (rank === EPOCH_RANK && asStep(value) !== undefined) ownEpoch = value;
  }
  if (found.length === 0) return noPairs(text, context);
  const step = stepOf(text, ownStep, stepRank < EPOCH_RANK, ownEpoch, context);
  // Only `key: whole number` counts and no step anywhere (own, position, `[N]` or carried): a status
  // dump (`rchar: 6976`, `HugePages_Free: 0`); `key=3` stays a value (`loss=1`, `correct=95 total=100`)
  if (step === undefined && onlyCounts) return [];
  if (step !== undefined) for (const p of found) p.step = step;
  return found;
}

/** A line without pairs: a step header sets the carried step, a table header starts a table. */
function noPairs(text: string, context: StreamContext): ParsedMetric[] {
  const header = startsWithOneOf(text, STEP_HEADER_START) ? STEP_HEADER.exec(text) : null;
  if (header) {
    context.step = Number(header[2]);
    if (isEpochWord(header[1]!)) context.epoch = context.step;
  } else context.columns = tableHeader(text);
  return [];
}

/** A step word that names an epoch (one list of step words: table.ts). */
const isEpochWord = (word: string) => stepKeyRank(word) === EPOCH_RANK;

/**
 * The line's step: its own step key (`step`, `iter`, … — before anything else) or word (which then carries to the stream's next lines); with
 * a position `[a/b]`, epoch × b + a when the line or an earlier one gave an epoch, else a; else a
 * leading `[N]`; else the carried step.
 */
function stepOf(text: string, ownStep: number | undefined, byStepKey: boolean, ownEpoch: number | undefined, context: StreamContext): number | undefined {
  const slash = text.includes('/');
  const epochPosition = slash ? EPOCH_POSITION.exec(text) : null;
  // the step word is looked for only when the line's keys gave no step, or no epoch and it may name one
  const word = ownStep === undefined || (ownEpoch === undefined && (text.includes('poch') || text.includes('POCH'))) ? STEP_WORD.exec(text) : null;
  let epoch = ownEpoch;
  if (epoch === undefined && word && isEpochWord(word[1]!)) epoch = Number(word[2]);
  if (epoch === undefined && epochPosition) epoch = Number(epochPosition[1]);
  const step = ownStep ?? (word ? Number(word[2]) : undefined) ?? epoch;
  if (step !== undefined) context.step = step;
  if (epoch !== undefined) context.epoch = epoch;
  // a `step`/`iter` key is the step itself (rule 1): `[01/01 12:00:00 d2.utils.events]:  iter: 19` is step 19
  if (byStepKey) return step;
  const position = slash ? positionIn(text, epochPosition) : undefined;
  if (position) {
    const at = Number(position[1]);
    const base = epoch ?? context.epoch;
    return base === undefined ? at : base * Number(position[2]) + at;
  }
  if (step !== undefined) return step;
  const bracket = STEP_BRACKET.exec(text);
  return bracket ? Number(bracket[1]) : context.step;
}

/** The first position `[a/b]` in `text` that is not the epoch's own (`Epoch [1/2], Step [100/300]` → `[100/300]`). */
function positionIn(text: string, epochPosition: RegExpExecArray | null): RegExpExecArray | undefined {
  POSITION.lastIndex = 0;
  for (let m = POSITION.exec(text); m !== null; m = POSITION.exec(text)) {
    if (epochPosition === null || m.index < epochPosition.index || m.index >= epochPosition.index + epochPosition[0].length) return m;
  }
  return undefined;
}

/**
 * `word` with up to {@link MAX_QUALIFIERS} words before it, each after exactly one space; undefined
 * when yet another word precedes them: the key is the tail of a sentence (`Percent of CPU this job got: 71%`).
 */
function qualified(text: string, start: number, word: string): string | undefined {
  let key = word;
  let at = start;
  for (let n = 0; n <= MAX_QUALIFIERS; n++) {
    const from = wordBefore(text, at);
    if (from === undefined) return key;
    if (n === MAX_QUALIFIERS) return undefined;
    key = `${text.slice(from, at - 1)} ${key}`;
    at = from;
  }
  return key;
}

/** Where the qualifier word that ends one space before `at` starts, or undefined when there is none. */
function wordBefore(text: string, at: number): number | undefined {
  if (at < 2 || text.charCodeAt(at - 1) !== 32) return undefined;
  const before = QUALIFIER.exec(text.slice(Math.max(0, at - 41), at - 1));
  if (!before) return undefined;
  const from = at - 1 - before[0].length;
  const prev = from > 0 ? text[from - 1]! : ' ';
  return prev === ' ' || prev === '\t' || prev === '"' || prev === "'" ? from : undefined;
}
