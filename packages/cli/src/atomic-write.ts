import fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

// The callback API, promisified: cheaper than `fs/promises` FileHandles for many small files.
const openFd = promisify(fs.open);
const writeFd = promisify(fs.write);
const fchmod = promisify(fs.fchmod);
const fchown = promisify(fs.fchown);
const fsync = promisify(fs.fsync);
const closeFd = promisify(fs.close);
const rename = promisify(fs.rename);
const rm = promisify(fs.rm);

/** The process umask, read once (it is not changed while the CLI runs). */
const umask = process.umask();

/** Temp files written but not yet renamed; removed if the process is interrupted. */
const pending = new Set<string>();

/** Staging folders (see `staging.ts`) not yet published; removed with everything in them if the process is interrupted. */
const pendingFolders = new Set<string>();

export function addPendingFolder(folder: string): void {
  pendingFolders.add(folder);
}

export function removePendingFolder(folder: string): void {
  pendingFolders.delete(folder);
}

/**
 * Characters of the target's name the temp name repeats: at most 4 bytes each
 * in UTF-8, so the temp name stays within the 255-byte NAME_MAX of common file
 * systems even when the target's own name already uses all of it.
 */
const TEMP_NAME_CHARS = 48;

/**
 * Random once per process, then counted. The name only has to be unlikely to
 * exist (the temp file is created exclusively, `wx`, so a clash fails instead of
 * overwriting), not secret: `Math.random` spares loading `node:crypto` (~15 ms).
 */
const runToken = `${process.pid}.${Math.floor(Math.random() * 0x1_0000_0000).toString(16).padStart(8, '0')}`;
let tempCount = 0;

/** The temp file (or folder) beside `target`: hidden, unique to this process, recognisably ours. */
export function tempPathFor(target: string): string {
  const name = Array.from(basename(target)).slice(0, TEMP_NAME_CHARS).join('');
  return join(dirname(target), `.${name}.${runToken}.${(tempCount++).toString(36)}.image-sanitizer.tmp`);
}

export interface AtomicWriteOptions {
  /** Permission bits of the new file, set exactly (whatever the umask). */
  mode: number;
  /**
   * Flush the temp file to disk before the rename, so that after a power loss
   * `target` is the old or the new file, never an empty one. Needed when the
   * rename replaces an original (`--in-place`); a copy can simply be made again.
   */
  durable: boolean;
  /**
   * Owner and group to give the new file (`--in-place`: those of the file it
   * replaces). Only root may give a file away: for anyone else a different
   * owner cannot be kept, and the new file is theirs, as with any editor.
   */
  owner?: { uid: number; gid: number };
  /**
   * `target` lies in a staging folder no one else sees yet (`staging.ts`): it is
   * created directly, without a temp file and a rename; the staging folder's
   * single rename publishes it.
   */
  staged?: boolean;
}

/**
 * Write `bytes` to `target` so that `target` is either its old self or the
 * complete new file, never something in between: write a temp file in the same
 * folder, then rename it over `target` (atomic on POSIX file systems). On any
 * failure the temp file is removed and `target` is untouched.
 */
export async function writeFileAtomic(target: string, bytes: Uint8Array, { mode, durable, owner, staged = false }: AtomicWriteOptions): Promise<void> {
  const temp = staged ? target : tempPathFor(target);
  pending.add(temp);
  try {
    const fd = await openFd(temp, 'wx', mode);
    try {
      for (let written = 0; written < bytes.length; ) {
        written += (await writeFd(fd, bytes, written, bytes.length - written)).bytesWritten;
      }
      if (owner !== undefined) await fchown(fd, owner.uid, owner.gid).catch(ignorePermissionDenied);
      if ((mode & ~umask) !== mode) await fchmod(fd, mode); // the umask took bits away
      if (durable) await fsync(fd);
    } finally {
      await closeFd(fd);
    }
    if (!staged) await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  } finally {
    pending.delete(temp);
  }
}

function ignorePermissionDenied(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPERM') throw error;
}

/** Remove every temp file still in flight. Synchronous: called from signal handlers before exiting. */
export function removePendingTempFiles(): void {
  for (const temp of pending) {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // Nothing more can be done while exiting; the name says what it is.
    }
  }
  pending.clear();
  for (const folder of pendingFolders) {
    try {
      fs.rmSync(folder, { recursive: true, force: true });
    } catch {
      // As above.
    }
  }
  pendingFolders.clear();
}
