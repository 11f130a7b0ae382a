import { AckedFile } from './acked-file.js';
import { writeMeta, type SpoolMeta } from './spool-files.js';
import type { SpooledExecution } from './server-copy.js';

/**
 * A spool entry left by a wrapper, opened by `sync` to upload it: its meta (rewritten atomically on
 * each change) and its `acked` record. The live wrapper's counterpart is SpoolWriter.
 */
export class SpoolEntryState implements SpooledExecution {
  readonly dir: string;
  #meta: SpoolMeta;
  readonly #acked: AckedFile;

  constructor(dir: string, meta: SpoolMeta) {
    this.dir = dir;
    this.#meta = meta;
    this.#acked = new AckedFile(dir);
  }

  get meta(): Readonly<SpoolMeta> {
    return this.#meta;
  }

  updateMeta(patch: Partial<SpoolMeta>): void {
    this.#meta = { ...this.#meta, ...patch };
    writeMeta(this.dir, this.#meta);
  }

  setAcked(seq: number): void {
    this.#acked.write(seq);
  }

  close(): void {
    this.#acked.close();
  }
}
