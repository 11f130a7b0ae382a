import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { postgresBin } from './postgres.mjs';

/**
 * Programs some rows need beside exec-track, how to install them, and the rows that need them.
 * A row whose program is missing is skipped (verdict `skip`), never a stack trace.
 */
export const TOOLS = {
  sqlite3: {
    install: 'apt-get install sqlite3 (macOS: brew install sqlite)',
    rows: ['B2', 'B3', 'B3m', 'B5', 'B5f'],
    why: 'their baseline is the sqlite3 CLI import',
  },
  tsp: { install: 'apt-get install task-spooler', rows: ['tsp'], why: 'the reference row runs task-spooler' },
  postgres: {
    install: 'apt-get install postgresql',
    rows: ['B3pg', 'S1', 'S2'],
    why: 'they run the server on a PostgreSQL cluster of their own',
    // not on PATH on Debian: /usr/lib/postgresql/<major>/bin
    found: () => postgresBin() !== undefined,
  },
};

/** Whether an executable `name` is on `path` (a PATH string). */
export function onPath(name, path = process.env.PATH ?? '') {
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** `{ sqlite3: boolean, tsp: boolean, postgres: boolean }`: which of {@link TOOLS} are on `path` (or found their own way). */
export function findTools(path = process.env.PATH ?? '') {
  return Object.fromEntries(Object.entries(TOOLS).map(([name, tool]) => [name, tool.found ? tool.found() : onPath(name, path)]));
}

/** A skipped row's note: which program is missing and its install command. */
export function missingNote(name) {
  return `${name} not found; install it with \`${TOOLS[name].install}\``;
}

/** One sentence per missing tool: what is missing, how to install it, which rows are skipped. */
export function missingToolMessages(found) {
  return Object.entries(TOOLS)
    .filter(([name]) => !found[name])
    .map(
      ([name, tool]) =>
        `${name} not found${tool.found ? '' : ' on PATH'}; install it with \`${tool.install}\`. Skipping ${tool.rows.join(', ')} (${tool.why}).`,
    );
}
