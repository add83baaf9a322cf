import { mkdirSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
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
  static create(outDir: string): StagingFolder {
    const staging = new StagingFolder(outDir);
    mkdirSync(dirname(staging.path), { recursive: true });
    mkdirSync(staging.path);
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
  publish(wroteAny: boolean): void {
    let renamed = false;
    try {
      if (!wroteAny) return;
      try {
        renameSync(this.path, this.outDir);
        renamed = true;
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
      }
      moveEach(this.path, this.outDir);
    } finally {
      // After the one rename there is nothing left to remove.
      if (!renamed) rmSync(this.path, { recursive: true, force: true });
      removePendingFolder(this.path);
    }
  }
}

function moveEach(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) {
      moveEach(source, join(to, entry.name));
      rmdirSync(source);
    } else {
      renameSync(source, join(to, entry.name));
    }
  }
}
