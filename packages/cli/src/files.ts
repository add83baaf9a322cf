import fs from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { detectFormat } from '@image-sanitizer/core';
import type { ScratchBuffer } from '@image-sanitizer/core/internal';
import { describeIoError, UsageError } from './errors.js';
import { naturalCompare } from './natural-sort.js';

/** The path that stands for standard input (and, for `clean -`, standard output). */
export const STDIN_PATH = '-';

/** One file to process. */
export interface FileEntry {
  /** The path for messages: as named on the command line, or joined onto the named folder. */
  path: string;
  /** Where it goes under `-o <outdir>`: relative to the named folder, or the base name of a named file. */
  relative: string;
  /** Named on the command line itself rather than found by walking a folder. */
  explicit: boolean;
  /** Size in bytes when the file was listed (to size the batch; the file is read later). */
  size: number;
  /** `-` on the command line: the bytes come from standard input. */
  stdin?: boolean;
}

/** A folder the walk could not list: its files were not processed, which counts as a failure. */
export interface UnreadableFolder {
  path: string;
  message: string;
}

/** An entry a folder walk passed over, reported so nothing disappears silently. */
export interface SkippedEntry {
  path: string;
  /** `NOT_AN_IMAGE`: neither its bytes nor its extension say image; `SYMLINK`, `SPECIAL_FILE`: not followed. */
  reason: 'NOT_AN_IMAGE' | 'SYMLINK' | 'SPECIAL_FILE';
}

/** A path named on the command line that is not there (or cannot be opened): reported, the rest still processed. */
export interface MissingPath {
  path: string;
  code: 'NOT_FOUND' | 'READ_FAILED';
  message: string;
}

/** What a command line's paths expand to. */
export interface Collected {
  files: FileEntry[];
  skipped: SkippedEntry[];
  unreadable: UnreadableFolder[];
  missing: MissingPath[];
}

export interface CollectOptions {
  /** A folder never to walk into, as a real path (symlinks resolved): clean's output folder when it lies inside an input folder. */
  exclude?: string;
}

/**
 * The real path of `path` (symlinks resolved, `realpath(3)`), or `fallback` when
 * it cannot be resolved. Synchronous, like the rest of the set-up before a
 * batch: each call through the thread pool is a wake-up of the main thread,
 * which on a busy machine waits for a time slice.
 */
export function realPathOr<T>(path: string, fallback: T): string | T {
  try {
    return fs.realpathSync.native(path);
  } catch {
    return fallback;
  }
}

/** Extensions that promise an image: such a file is processed (and rejected if it is not one). */
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.jfif', '.png', '.apng', '.gif', '.webp', '.heic', '.heif', '.avif', '.tif', '.tiff']);

/** Folders a walk never enters: VCS metadata, tool caches and dependencies. Name them explicitly to include them. */
function isIgnoredFolder(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

/** The largest file read into memory (the core holds input and output at once). */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

/** How many leading bytes `detectFormat()` needs to recognise every format it knows. */
const SNIFF_BYTES = 64;

/** Walk `folder`, whose path relative to the named folder is `under` (`''` for the named folder itself). */
async function walk(
  folder: string,
  under: string,
  options: CollectOptions,
  found: Collected,
): Promise<void> {
  const { files, skipped } = found;
  let entries;
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    found.unreadable.push({ path: folder, message: `cannot list folder: ${describeIoError(error)}` });
    return;
  }
  entries.sort((a, b) => naturalCompare(a.name, b.name));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    // Names joined as the walk descends: the same as `path.relative(root, path)`, without resolving both paths for every file.
    const relative = under === '' ? entry.name : join(under, entry.name);
    if (entry.isDirectory()) {
      if (isIgnoredFolder(entry.name)) continue;
      if (options.exclude !== undefined && realPathOr(path, resolve(path)) === options.exclude) continue;
      await walk(path, relative, options, found);
    } else if (entry.isFile()) {
      // Synchronous: for many small files one stat costs less than a trip through the thread pool.
      const size = fs.statSync(path, { throwIfNoEntry: false })?.size ?? 0;
      files.push({ path, relative, explicit: false, size });
    } else if (entry.isSymbolicLink()) {
      skipped.push({ path, reason: 'SYMLINK' });
    } else {
      skipped.push({ path, reason: 'SPECIAL_FILE' });
    }
  }
}

/**
 * Expand the command line's files and folders into the files to process, in a
 * stable order (folders sorted naturally by name: p1, p2, p10), each file once.
 * A path that does not exist or cannot be opened is listed in `missing`; the
 * caller decides whether that is a usage error (see `checkInputs`).
 */
export async function collectFiles(
  inputs: readonly string[],
  options: CollectOptions = {},
): Promise<Collected> {
  const found: Collected = { files: [], skipped: [], unreadable: [], missing: [] };
  for (const input of inputs) {
    if (input === STDIN_PATH) {
      found.files.push({ path: input, relative: input, explicit: true, size: 0, stdin: true });
      continue;
    }
    let info: fs.Stats;
    try {
      info = fs.statSync(input);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (typeof code !== 'string') throw error;
      const notFound = code === 'ENOENT' || code === 'ENOTDIR';
      found.missing.push({
        path: input,
        code: notFound ? 'NOT_FOUND' : 'READ_FAILED',
        message: notFound ? 'no such file or folder' : describeIoError(error),
      });
      continue;
    }
    if (info.isDirectory()) {
      await walk(input, '', options, found);
    } else if (info.isFile()) {
      found.files.push({ path: input, relative: basename(input), explicit: true, size: info.size });
    } else {
      found.missing.push({ path: input, code: 'READ_FAILED', message: 'neither a file nor a folder' });
    }
  }
  // A file named twice (`photos photos/a.jpg`, `photos ./photos`) is processed once; one folder's walk lists each file once.
  if (inputs.length < 2) return found;
  const seen = new Set<string>();
  found.files = found.files.filter((file) => {
    const key = resolve(file.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return found;
}

/** Who a file is and how many names it has: what `--in-place` needs to replace it faithfully. */
export interface FileIdentity {
  mode: number;
  uid: number;
  gid: number;
  dev: number;
  ino: number;
  /** Hard links: names of the same file. */
  nlink: number;
}

/** What reading a file produced: its bytes, the news that a walked file is not an image, or why it failed. */
export type ReadOutcome =
  | ({ kind: 'bytes'; bytes: Uint8Array } & FileIdentity)
  | { kind: 'not-an-image' }
  | { kind: 'failed'; code: FileReadError['code']; message: string };

/** A read failure with the code reports use. */
export class FileReadError extends Error {
  constructor(
    readonly code: 'READ_FAILED' | 'FILE_TOO_LARGE',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Read a file for processing. A file found by walking a folder is passed over
 * (`not-an-image`) when neither its first bytes nor its extension say image; a
 * file named on the command line is always read, so the core rejects it.
 * The bytes own their buffer, so they can be transferred to a worker.
 *
 * Files are read with synchronous calls: for the many small files of a typical
 * batch the four system calls cost less than four trips through libuv's thread
 * pool (measured: ~25 ms against ~90 ms of main-thread time for 500 files of
 * 42 kB); `--in-place`'s flushed writes still overlap on the pool.
 */
export async function readFileEntry(entry: FileEntry): Promise<ReadOutcome> {
  try {
    return entry.stdin === true ? await readStdin() : readOrThrow(entry);
  } catch (error) {
    return failedRead(error);
  }
}

/**
 * Read a file (not `-`) as `readFileEntry` does, synchronously, into `scratch`:
 * the bytes are a view of its buffer, valid until the next read into it. For a
 * batch handled one file at a time on the main thread, so that every file does
 * not allocate (and the kernel zero) a new buffer of its size.
 */
export function readFileEntryInto(entry: FileEntry, scratch: ScratchBuffer): ReadOutcome {
  try {
    return readOrThrow(entry, scratch);
  } catch (error) {
    return failedRead(error);
  }
}

function failedRead(error: unknown): ReadOutcome {
  const failure = error instanceof FileReadError ? error : new FileReadError('READ_FAILED', readFailure(error));
  return { kind: 'failed', code: failure.code, message: failure.message };
}


function readOrThrow(entry: FileEntry, scratch?: ScratchBuffer): ReadOutcome {
  let fd: number;
  try {
    fd = fs.openSync(entry.path, 'r');
  } catch (error) {
    throw new FileReadError('READ_FAILED', readFailure(error));
  }
  try {
    const info = fs.fstatSync(fd);
    if (!info.isFile()) throw new FileReadError('READ_FAILED', 'not a regular file');
    if (!entry.explicit && !IMAGE_EXTENSIONS.has(extname(entry.path).toLowerCase())) {
      const head = new Uint8Array(Math.min(SNIFF_BYTES, info.size));
      readFully(fd, head);
      if (detectFormat(head) === undefined) return { kind: 'not-an-image' };
    }
    if (info.size > MAX_FILE_BYTES) throw tooLarge();
    const bytes = scratch === undefined ? new Uint8Array(info.size) : scratch.take(info.size);
    readFully(fd, bytes);
    const { mode, uid, gid, dev, ino, nlink } = info;
    return { kind: 'bytes', bytes, mode: mode & 0o777, uid, gid, dev, ino, nlink };
  } catch (error) {
    if (error instanceof FileReadError) throw error;
    throw new FileReadError('READ_FAILED', readFailure(error));
  } finally {
    fs.closeSync(fd);
  }
}

/** Fill `into` from the start of the file (positional reads). */
function readFully(fd: number, into: Uint8Array): void {
  let filled = 0;
  while (filled < into.length) {
    const bytesRead = fs.readSync(fd, into, filled, into.length - filled, filled);
    if (bytesRead === 0) throw new FileReadError('READ_FAILED', 'the file shrank while it was read');
    filled += bytesRead;
  }
}

function tooLarge(): FileReadError {
  return new FileReadError('FILE_TOO_LARGE', `larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
}

/** Standard input, read to its end (at most `MAX_FILE_BYTES`), as one buffer the caller owns. */
async function readStdin(): Promise<ReadOutcome> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_FILE_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  // Never written to a file (`clean -` writes to standard output): the identity is a placeholder.
  return { kind: 'bytes', bytes, mode: 0o644, uid: -1, gid: -1, dev: 0, ino: 0, nlink: 1 };
}

function readFailure(error: unknown): string {
  return `cannot read: ${describeIoError(error)}`;
}

function quoted(paths: readonly string[]): string {
  return paths.map((path) => `'${path}'`).join(', ');
}

/**
 * A command line none of whose paths exists is a usage error (exit 2), as for
 * linters: a mistyped path must not pass a CI job. When only some are missing,
 * they are reported with the results and the rest are processed (exit 1).
 */
export function requireSomePath(inputs: readonly string[], collected: Collected, command: string): void {
  const { missing } = collected;
  if (missing.length < inputs.length) return;
  const [first] = missing;
  if (missing.length === 1) {
    throw new UsageError(first.code === 'NOT_FOUND' ? `cannot find '${first.path}'` : `cannot open '${first.path}': ${first.message}`, command);
  }
  throw new UsageError(`none of the paths can be opened: ${missing.map((m) => `'${m.path}' (${m.message})`).join(', ')}`, command);
}

/**
 * Paths that hold no image at all are a usage error (exit 2) unless
 * `--allow-empty` says that is expected: `check` on an empty or mistyped
 * folder must not say "all clean". `images` counts the files that were
 * processed as images (whatever their outcome); skipped files do not count.
 */
export function requireImages(images: number, inputs: readonly string[], collected: Collected, allowEmpty: boolean, command: string): void {
  if (images > 0 || allowEmpty || collected.unreadable.length > 0) return;
  const found = inputs.filter((input) => !collected.missing.some((m) => m.path === input));
  throw new UsageError(`no images found in ${quoted(found)} (--allow-empty accepts that)`, command);
}
