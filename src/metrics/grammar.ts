import type { ParsedMetric } from './parse.js';
import { asStep, tokenValue } from './value.js';

/** A key: starts with a letter or `_`, may contain `.`, `-`, `/` inside, ends with a word character. */
const KEY = String.raw`[A-Za-z_](?:[\w.\-/]*\w)?`;
/** A value: decimal or scientific number, or nan/inf/infinity, optionally signed. */
const NUM = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:[nN][aA][nN]|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)`;
/** What may follow a `key: value` pair: end of line, a list delimiter, a Keras ` - `, or another pair. */
const AFTER_COLON = String.raw`(?=\s*(?:$|[,;|}\])]|-\s)|\s+['"]?${KEY}['"]?\s*[:=]\s*(?:${NUM}))`;

/** A whole number as printed: `host:8080` has one right after an unquoted key's colon. */
const INTEGER = /^[-+]?\d+$/;

/**
 * One pair: optional quote, key, same quote, `=` or `:`, value. The key must not continue a word,
 * a number, a path or a query string (`125.3it/s`, `--lr`, `?page=2`), and the value must not run
 * on into a word, a dotted address or a clock (`0.0.0.0:8080`, `12:00:01`).
 */
const PAIR = new RegExp(
  String.raw`(?<![\w.\-/?&])(['"]?)(${KEY})\1(?:\s*=\s*(${NUM})(?![\w.:/])|\s*:(\s*)(${NUM})(?![\w.:/])${AFTER_COLON})`,
  'g',
);

/**
 * Cheap test that a line could hold a pair at all: something key-like, a separator, something
 * number-like. Most log lines (timestamps like `12:00:01` included) stop here.
 */
const PREFILTER = /[A-Za-z_]['"]?\s*[=:]\s*[-+]?(?:\d|\.\d|nan|inf)/i;

/** Keys whose integer value is the line's step, most specific first. */
const STEP_KEYS = ['step', 'global_step', 'iteration', 'iter', 'epoch'];
/** `Epoch 2: …`, `Iteration 5, …`, `step 10 …`: a step word followed by an integer. */
const STEP_WORD = /(?<![\w])(?:epoch|step|iteration|iter)\s+(\d+)(?![\d.])/i;
/** XGBoost: `[12]\t…` at the start of the line. */
const STEP_BRACKET = /^\s*\[(\d+)\]\s/;

/**
 * The default grammar (docs/metrics.md): `key=value` and `key: value` pairs, flat JSON and Python
 * dicts, Keras and XGBoost lines; the step comes from a step/epoch/iter pair, a step word, or a
 * leading `[N]`.
 */
export function parseDefault(text: string): ParsedMetric[] {
  if (!PREFILTER.test(text)) return [];
  const found: ParsedMetric[] = [];
  PAIR.lastIndex = 0;
  for (let m = PAIR.exec(text); m !== null; m = PAIR.exec(text)) {
    const [, quote, key, byEquals, colonSpace, byColon] = m;
    // `localhost:8080`, `redis:6379`: a whole number tight after a bare key's colon is an address.
    if (byColon !== undefined && colonSpace === '' && quote === '' && INTEGER.test(byColon)) continue;
    found.push({ key: key!, value: tokenValue(byEquals ?? byColon!) });
  }
  if (found.length === 0) return found;
  const step = stepOf(text, found);
  if (step !== undefined) for (const p of found) p.step = step;
  return found;
}

function stepOf(text: string, found: ParsedMetric[]): number | undefined {
  // the first pair of the most specific step key; one pass, one lower-casing per pair
  let rank = STEP_KEYS.length;
  let step: number | undefined;
  for (const p of found) {
    const r = STEP_KEYS.indexOf(p.key.toLowerCase());
    if (r !== -1 && r < rank && asStep(p.value) !== undefined) {
      rank = r;
      step = p.value;
    }
  }
  if (step !== undefined) return step;
  const word = STEP_WORD.exec(text) ?? STEP_BRACKET.exec(text);
  return word ? Number(word[1]) : undefined;
}
