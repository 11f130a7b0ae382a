/**
 * Which names look secret (DESIGN §5 Secrets): environment variable names, `NAME=value` arguments
 * and `--flag` options whose last part is one of TOKEN, SECRET, PASSWORD, PASSWD, API_KEY, APIKEY,
 * ACCESS_KEY, PRIVATE_KEY, CREDENTIAL(S). `DEMO_API_TOKEN`, `AWS_SECRET_ACCESS_KEY`, `--api-key` and
 * `--client-secret` match; `TOKENIZERS_PARALLELISM` and `--password-stdin` do not.
 */
const SECRET_NAME = /(?:^|_)(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)$/i;

/** An environment-style name: letters, digits and `_`, not starting with a digit. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A long option: `--name` with letters, digits, `-` and `_`. */
const LONG_OPTION = /^--([A-Za-z][A-Za-z0-9_-]*)$/;

/** True when an environment variable (or `NAME=value` argument) name looks secret. */
export function isSecretName(name: string): boolean {
  return ENV_NAME.test(name) && SECRET_NAME.test(name);
}

/**
 * True when `flag` (the part before any `=`, e.g. `--token`, `--api-key`, `--db-password`) is an
 * option whose value is a secret. `--no-…` negations are switches without a value, so they never match.
 */
export function isSecretFlag(flag: string): boolean {
  const m = LONG_OPTION.exec(flag);
  if (!m || m[1]!.toLowerCase().startsWith('no-')) return false;
  return SECRET_NAME.test(m[1]!.replaceAll('-', '_'));
}
