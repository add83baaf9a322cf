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

/** Set on interrupt: no new temp file is started, and one whose creation was in flight is removed. */
let stopping = false;

export function stopWriting(): void {
  stopping = true;
}

/** Whether a temp file's write has not finished yet (after an interrupt, each one ends by removing its temp file). */
export function writesInFlight(): boolean {
  return pending.size > 0;
}

/** Whether an interrupt stopped the writing (a batch then starts no further file). */
export function writingStopped(): boolean {
  return stopping;
}

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

/**
 * Replace `target` (`--in-place`) so that it is either its old self or the
 * complete new file, never something in between, even after a power cut: write
 * a temp file in the same folder, flush it to disk (`fsync`), then rename it
 * over `target` (atomic on POSIX file systems). On any failure the temp file is
 * removed and `target` is untouched. Asynchronous, so that several flushes are
 * in flight at once on libuv's thread pool.
 * `mode`: the permission bits of the new file, set exactly (whatever the umask).
 * `owner`: the owner and group to give it (those of the file it replaces). Only
 * root may give a file away: for anyone else a different owner cannot be kept,
 * and the new file is theirs, as with any editor.
 */
export async function replaceFileDurably(target: string, bytes: Uint8Array, mode: number, owner: { uid: number; gid: number }): Promise<void> {
  if (stopping) throw new Error('interrupted');
  const temp = tempPathFor(target);
  pending.add(temp);
  try {
    const fd = await openFd(temp, 'wx', mode);
    try {
      if (stopping) throw new Error('interrupted');
      for (let written = 0; written < bytes.length; ) {
        written += (await writeFd(fd, bytes, written, bytes.length - written)).bytesWritten;
      }
      await fchown(fd, owner.uid, owner.gid).catch(ignorePermissionDenied);
      if ((mode & ~umask) !== mode) await fchmod(fd, mode); // the umask took bits away
      await fsync(fd);
    } finally {
      await closeFd(fd);
    }
    if (stopping) throw new Error('interrupted');
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  } finally {
    pending.delete(temp);
  }
}

/**
 * Write a copy (`-o`) atomically: a temp file renamed over `target`, or, when
 * `staged` (`target` lies in a staging folder no one sees yet, `staging.ts`),
 * `target` itself, which the staging folder's single rename publishes. A copy is
 * not flushed: after a power cut it can simply be made again. `mode` as above.
 *
 * Synchronous: on a local disk one create, write and close on the main thread
 * cost less than three trips each through libuv's thread pool (500 files of
 * 42 kB: 26 ms against 37-44 ms with 16 in flight, and half the CPU time, which
 * on two cores is what the core's work competes with). Signals are handled
 * between files, so none is ever half-written when the interrupt handler runs.
 */
export function writeCopySync(target: string, bytes: Uint8Array, mode: number, staged: boolean): void {
  if (stopping) throw new Error('interrupted');
  const temp = staged ? target : tempPathFor(target);
  pending.add(temp);
  try {
    const fd = fs.openSync(temp, 'wx', mode);
    try {
      for (let written = 0; written < bytes.length; ) written += fs.writeSync(fd, bytes, written, bytes.length - written);
      if ((mode & ~umask) !== mode) fs.fchmodSync(fd, mode); // the umask took bits away
    } finally {
      fs.closeSync(fd);
    }
    if (!staged) fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  } finally {
    pending.delete(temp);
  }
}

function ignorePermissionDenied(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPERM') throw error;
}

/**
 * Remove every temp file still in flight. Synchronous: called from signal handlers before exiting.
 * The names stay listed until the write that made each one has finished (see `writesInFlight`):
 * a temp file whose creation was on the thread pool can appear after this removal.
 */
export function removePendingTempFiles(): void {
  for (const temp of pending) {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // Nothing more can be done while exiting; the name says what it is.
    }
  }
  for (const folder of pendingFolders) {
    try {
      fs.rmSync(folder, { recursive: true, force: true });
    } catch {
      // As above.
    }
  }
  pendingFolders.clear();
}
