import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { addPendingFolder, removePendingFolder, tempPathFor } from './atomic-write.js';

/**
 * `clean -o <dir>` when `<dir>` does not exist yet: every cleaned copy is
 * written straight into a hidden folder beside it, which one rename turns into
 * `<dir>` at the end. The batch is atomic as a whole (an interrupted run
 * leaves no `<dir>` at all, only files the run completed ever appear there),
 * and each file costs one directory entry instead of a temp file plus a rename
 * (measured: ~40% of a 500-file run's file-system time).
 */
export class StagingFolder {
  /** Where the copies are written until `publish()`. */
  readonly path: string;

  private constructor(readonly outDir: string) {
    this.path = tempPathFor(resolve(outDir));
  }

  /** Create the staging folder beside `outDir` (and `outDir`'s parents). Removed on interrupt until published. */
  static async create(outDir: string): Promise<StagingFolder> {
    const staging = new StagingFolder(outDir);
    await mkdir(dirname(staging.path), { recursive: true });
    await mkdir(staging.path);
    addPendingFolder(staging.path);
    return staging;
  }

  /** Where the copy for `relative` (its path under `outDir`) is written. */
  target(relative: string): string {
    return join(this.path, relative);
  }

  /**
   * Move the staged copies to `outDir`: one rename, or, when `outDir` appeared
   * meanwhile and holds files, one rename per copy (each one atomic, as with an
   * existing output folder). With nothing written, nothing appears.
   */
  async publish(wroteAny: boolean): Promise<void> {
    try {
      if (!wroteAny) return;
      try {
        await rename(this.path, this.outDir);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
      }
      await moveEach(this.path, this.outDir);
    } finally {
      await rm(this.path, { recursive: true, force: true });
      removePendingFolder(this.path);
    }
  }
}

async function moveEach(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) {
      await moveEach(source, join(to, entry.name));
      await rmdir(source);
    } else {
      await rename(source, join(to, entry.name));
    }
  }
}
