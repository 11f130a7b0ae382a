import { createTextRedactor, REDACTED, type TextRedactor } from './redact-matcher.js';
import { maskCredentials } from './redact-credentials.js';
import { isSecretFlag, isSecretName } from './redact-names.js';

export { REDACTED, type TextRedactor } from './redact-matcher.js';
export { isSecretFlag, isSecretName } from './redact-names.js';

/** Secret values shorter than this are masked only where they sit in argv, never in free text (DESIGN §5). */
export const MIN_TEXT_SECRET_LENGTH = 8;

/** What {@link createRedactor} returns. */
export interface Redactor {
  /** The argv to record: secret values replaced by `[REDACTED]`. A new array; the input is not touched. */
  argv: string[];
  /** Masks every secret value (8+ characters) in one line; returns the same string when none occurs. */
  text: TextRedactor;
}

/**
 * Secrets are never stored (DESIGN §5 Secrets). Builds, once per run, the masking applied to
 * everything exec-track records; the child still gets the real argv and env, the terminal shows all.
 *
 * Secret values come from:
 * - argv: the value after a secret option (`--password`, `--token`, `--api-key`, `--secret`, and any
 *   long option whose name ends like a secret name, e.g. `--client-secret`, `--db-password`), in both
 *   `--token abc` and `--token=abc` forms (a following `--option` is not taken as the value); and
 *   `NAME=value` arguments whose NAME looks secret (`DEMO_DB_PASSWORD=…`). These become
 *   `--token [REDACTED]`, `--token=[REDACTED]`, `DEMO_DB_PASSWORD=[REDACTED]` in the recorded argv.
 * - shell snippets (`sh -c 'tool --token abc'`): the same forms inside an argument that contains
 *   whitespace, masked in place (a value may be quoted with `'` or `"`).
 * - env: the values of the wrapper's variables whose names look secret ({@link isSecretName}).
 *
 * `text` replaces every occurrence of those values that are at least {@link MIN_TEXT_SECRET_LENGTH}
 * characters long (shorter ones would mask ordinary words), and credentials recognisable by their
 * shape: `Authorization: Bearer …` header values and URL passwords (`https://user:…@host`).
 * Recorded argv elements are passed through `text` as well (a shell-expanded `Bearer $TOKEN`
 * argument is masked). A line holding none of these comes back as the same string.
 *
 * @param argv the child's argv (`[cmd, ...args]`) as the user gave it.
 * @param env the wrapper's own environment (usually `process.env`).
 */
export function createRedactor(argv: readonly string[], env: NodeJS.ProcessEnv): Redactor {
  const values: string[] = [];
  const positional = argv.map((arg, i) => {
    const previous = i > 0 ? argv[i - 1]! : '';
    if (isSecretFlag(previous) && !arg.startsWith('--') && arg.length > 0) {
      values.push(arg);
      return REDACTED;
    }
    const eq = arg.indexOf('=');
    if (eq > 0 && eq < arg.length - 1) {
      const name = arg.slice(0, eq);
      if (isSecretFlag(name) || isSecretName(name)) {
        values.push(arg.slice(eq + 1));
        return `${name}=${REDACTED}`;
      }
    }
    return /\s/.test(arg) ? redactInline(arg, values) : arg;
  });
  for (const [name, value] of Object.entries(env)) {
    if (value && isSecretName(name)) values.push(value);
  }
  const values8 = createTextRedactor(values.filter((v) => v.length >= MIN_TEXT_SECRET_LENGTH));
  const text: TextRedactor = (s) => maskCredentials(values8(s));
  return { argv: positional.map(text), text };
}

// `--flag value`, `--flag=value` or `NAME=value` inside a shell snippet; a value may be quoted and
// ends at a shell separator (`;`, `&`, `|`, `<`, `>`, parentheses, backquote), as the shell would end it
const INLINE_OPTION = /(^|\s)(--[A-Za-z][\w-]*)(=|\s+)(["']?)([^\s"';&|<>()`]+)\4/g;
const INLINE_ASSIGNMENT = /(^|\s)([A-Za-z_]\w*)=(["']?)([^\s"';&|<>()`]+)\3/g;

/** Masks secret values of the argv forms inside one whitespace-containing argument; collects them into `values`. */
function redactInline(arg: string, values: string[]): string {
  return arg
    .replace(INLINE_OPTION, (whole, lead: string, flag: string, sep: string, quote: string, value: string) => {
      if (!isSecretFlag(flag) || (sep !== '=' && value.startsWith('--'))) return whole;
      values.push(value);
      return `${lead}${flag}${sep}${quote}${REDACTED}${quote}`;
    })
    .replace(INLINE_ASSIGNMENT, (whole, lead: string, name: string, quote: string, value: string) => {
      if (!isSecretName(name)) return whole;
      values.push(value);
      return `${lead}${name}=${quote}${REDACTED}${quote}`;
    });
}
