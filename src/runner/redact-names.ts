/**
 * Which names look secret (DESIGN §5 Secrets): environment variable names, `NAME=value` arguments
 * and `--flag` options whose last part is one of TOKEN, SECRET, PASSWORD, PASSWD, PASSPHRASE, KEY,
 * APIKEY, PAT, AUTH, CREDENTIAL(S) (so any `…_KEY`: API_KEY, ACCESS_KEY, PRIVATE_KEY, OPENAI_KEY).
 * `DEMO_API_TOKEN`, `AWS_SECRET_ACCESS_KEY`, `GITHUB_PAT`, `HF_AUTH`, `--api-key`, `--key`, `--auth`
 * and `--client-secret` match; `TOKENIZERS_PARALLELISM`, `KEYBOARD`, `--key-file` and
 * `--password-stdin` do not. Over-matching (`SORT_KEY`) costs a masked value, never a leak.
 */
const SECRET_NAME = /(?:^|_)(?:TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|KEY|APIKEY|PAT|AUTH|CREDENTIALS?)$/i;

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
