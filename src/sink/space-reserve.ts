import { closeSync, openSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pidAlive } from '../store/ghosts.js';

/** Size of the space kept back for the end of a run: enough for the stop marker and the outcome (a few WAL pages). */
export const RESERVE_BYTES = 256 * 1024;

/**
 * A file of real (written, not sparse) bytes kept next to the embedded store while a command runs,
 * so that when the disk fills up the outcome can still be recorded: {@link release} gives the space
 * back just before the last writes (docs/reliability.md "A full disk"). Best effort: on a disk already
 * too full to hold it there is simply no reserve. `path` ends in `-<pid>` of the wrapper: reserves left
 * by wrappers that died (`kill -9`) are deleted when the next one starts.
 */
export class SpaceReserve {
  readonly #path: string;
  #held: boolean;

  constructor(path: string) {
    this.#path = path;
    removeOrphans(path);
    this.#held = fill(path);
  }

  /** Deletes the file (at most once); returns whether space was given back. */
  release(): boolean {
    if (!this.#held) return false;
    this.#held = false;
    removeFile(this.#path);
    return true;
  }
}

function fill(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'w', 0o600);
    writeSync(fd, Buffer.alloc(RESERVE_BYTES));
    return true;
  } catch {
    removeFile(path);
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function removeOrphans(path: string): void {
  const prefix = basename(path).replace(/\d+$/, '');
  for (const name of readdirSync(dirname(path))) {
    const pid = name.startsWith(prefix) ? Number(name.slice(prefix.length)) : NaN;
    if (Number.isSafeInteger(pid) && pid > 0 && !pidAlive(pid)) removeFile(join(dirname(path), name));
  }
}

/** Deletes a file that may be gone already (unlinkSync: `rmSync` would load Node's rimraf at every `run`, B4). */
function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone, or never made
  }
}
