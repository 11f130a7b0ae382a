import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Why `program` could not be started, as spawn would say it (`ENOENT`, `EACCES`), or null when it can:
 * a name with a `/` is checked as is, any other is looked up on `path` (colon-separated, as execvp does).
 * For starters that report a failed exec only as the child's own exit (a pseudo-terminal's fork).
 */
export function programError(program: string, path: string | undefined): 'ENOENT' | 'EACCES' | null {
  const candidates = program.includes('/') ? [program] : (path ?? '').split(delimiter).map((dir) => join(dir || '.', program));
  let found = false;
  for (const candidate of candidates) {
    if (!isFile(candidate)) continue;
    found = true;
    try {
      accessSync(candidate, constants.X_OK);
      return null;
    } catch {
      // not executable by us: look on, as execvp does
    }
  }
  return found ? 'EACCES' : 'ENOENT';
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
