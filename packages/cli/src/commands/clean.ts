import fs from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ImageFormat, MetadataItem, SanitizeOptions } from '@image-sanitizer/core';
import { ScratchBuffer } from '@image-sanitizer/core/internal';
import type { CleanArgs } from '../args.js';
import { replaceFileDurably, writeCopySync, writingStopped } from '../atomic-write.js';
import { StagingFolder } from '../staging.js';
import { describeIoError, EXIT, UsageError } from '../errors.js';
import {
  collectFiles,
  readFileEntry,
  readFileEntryInto,
  realPathOr,
  requireImages,
  requireSomePath,
  type FileEntry,
  type FileIdentity,
  type ReadOutcome,
  type SkippedEntry,
} from '../files.js';
import { withInterruptCleanup } from '../interrupt.js';
import { chooseRunner, InlineRunner, mapLimit, type TaskRunner } from '../pool.js';
import { createProgress, type Progress } from '../progress.js';
import { runTask, type TaskResults } from '../tasks.js';
import { countStatuses, formatBytes, itemJson, listItems, plural, printError, printJson, printLine, totalLength } from '../report.js';

/** The outcome for one file, as it appears in the JSON report. */
export type CleanFileReport =
  | {
      path: string;
      status: 'cleaned';
      /** Where the cleaned image is; the same as `path` with `--in-place`. */
      output: string;
      format: ImageFormat;
      /** False when the file carried nothing to remove (with `--in-place` it was then left untouched). */
      changed: boolean;
      bytesIn: number;
      bytesOut: number;
      removed: MetadataItem[];
      kept: MetadataItem[];
      /**
       * `--in-place` on a file with several names (hard links): the rename gave this
       * name a new file, the other names still hold the original bytes.
       */
      hardLinks?: {
        /** The other names the file had when it was read. */
        others: number;
        /** Those found beside it, still leading to the original. */
        unsanitized: string[];
        /** Those not found beside it nor cleaned in this run: elsewhere on the file system. */
        elsewhere: number;
        /** The original's inode number (`find <mount> -xdev -inum <inode>` lists every name). */
        inode: number;
      };
    }
  | { path: string; status: 'skipped'; reason: SkippedEntry['reason'] }
  | { path: string; status: 'error'; code: string; message: string };

/** A file `--in-place` replaced, with the identity of the file it replaced. */
interface LinkedFile {
  report: Extract<CleanFileReport, { status: 'cleaned' }>;
  identity: FileIdentity;
}

interface Planned {
  file: FileEntry;
  /** The path written to. */
  target: string;
  /** The path shown in reports. */
  output: string;
}

/** Real paths (symlinks resolved) of folders, each asked for once; `undefined` when the folder does not exist. */
type FolderMap = Map<string, string | undefined>;

/** Resolve the real path of every folder in `folders` not yet in `known`. */
function resolveFolders(folders: Iterable<string>, known: FolderMap): void {
  for (const folder of folders) if (!known.has(folder)) known.set(folder, realPathOr(folder, undefined));
}

/**
 * Where a write to `path` lands: its folder with symlinks resolved (from
 * `folders`, filled by `resolveFolders`), then its name (a rename replaces that
 * directory entry). Undefined when the folder does not exist yet, so nothing
 * there can be an input.
 */
function landingPath(path: string, folders: FolderMap): string | undefined {
  const resolved = folders.get(dirname(resolve(path)));
  return resolved === undefined ? undefined : join(resolved, basename(path));
}

const folderOf = (path: string) => dirname(resolve(path));

/**
 * Every name under which an input can be replaced, mapped to the input: the
 * entry itself and, for a named file (perhaps a symlink), the file it points to.
 */
function inputLocations(files: readonly FileEntry[], folders: FolderMap): Map<string, string> {
  const locations = new Map<string, string>();
  for (const file of files) {
    const entry = landingPath(file.path, folders);
    if (entry !== undefined) locations.set(entry, file.path);
    if (file.explicit) locations.set(realPathOr(file.path, resolve(file.path)), file.path);
  }
  return locations;
}

/**
 * Map every file to its output. With -o, an output that would replace an input
 * (the output folder is an input folder, however spelt) and two inputs that
 * would land on the same output are usage errors.
 */
function plan(files: readonly FileEntry[], args: CleanArgs, staging: StagingFolder | undefined): Planned[] {
  const planned: Planned[] = [];
  const byTarget = new Map<string, string>();
  const folders: FolderMap = new Map();
  // The inputs' folders (real paths) say where a write would land: not needed when everything goes into a new folder.
  if (staging === undefined) resolveFolders(files.map((file) => folderOf(file.path)), folders);
  const { outDir } = args;
  let inputs = new Map<string, string>();
  if (outDir !== undefined && staging === undefined) {
    inputs = inputLocations(files, folders);
    resolveFolders(files.map((file) => folderOf(join(outDir, file.relative))), folders);
  }
  for (const file of files) {
    let target: string;
    let output: string;
    if (staging !== undefined) {
      // A new output folder: nothing in it can be an input.
      output = join(staging.outDir, file.relative);
      target = staging.target(file.relative);
    } else if (outDir !== undefined) {
      output = join(outDir, file.relative);
      target = output;
      const victim = inputs.get(landingPath(target, folders) ?? '');
      if (victim !== undefined) {
        throw new UsageError(
          `writing '${output}' would replace the input '${victim}'; choose an output folder apart from the inputs, or use --in-place`,
          'clean',
        );
      }
    } else {
      // Replace the file a symlink points to, not the link. A walked file is never a
      // symlink (walks do not follow them), so its folder's real path is enough.
      output = file.path;
      target = file.explicit ? realPathOr(file.path, file.path) : (landingPath(file.path, folders) ?? file.path);
    }
    // Staged targets are all joined onto the staging folder, so equal targets are equal strings.
    const key = staging === undefined ? resolve(target) : target;
    const earlier = byTarget.get(key);
    if (earlier !== undefined) {
      throw new UsageError(
        `'${earlier}' and '${file.path}' would both be written to '${output}'; name their folders instead to keep their paths apart`,
        'clean',
      );
    }
    byTarget.set(key, file.path);
    planned.push({ file, target, output });
  }
  return planned;
}

/** `stat` or `lstat` of `path`; undefined when that fails for any reason (the write that follows then says why). */
function statOrUndefined(path: string, how: typeof fs.statSync | typeof fs.lstatSync): fs.Stats | undefined {
  try {
    return how(path);
  } catch {
    return undefined;
  }
}

/** Output folders made so far, so each is created once per run (synchronously, like the rest of the set-up). */
const madeFolders = new Set<string>();

function ensureFolder(folder: string): void {
  if (madeFolders.has(folder)) return;
  fs.mkdirSync(folder, { recursive: true });
  madeFolders.add(folder);
}

/** The report of a file that gave no image bytes: it could not be read, or it is not an image. */
function notRead(path: string, read: Exclude<ReadOutcome, { kind: 'bytes' }>): CleanFileReport {
  return read.kind === 'failed' ? { path, status: 'error', code: read.code, message: read.message } : { path, status: 'skipped', reason: 'NOT_AN_IMAGE' };
}

/**
 * After a signal no file is started and nothing more is done (no summary of files that are gone):
 * the signal's handler removes what this run wrote and ends the process.
 */
async function haltAfterSignal(): Promise<void> {
  if (writingStopped()) await new Promise<never>(() => {});
}

function cleanedReport(file: FileEntry, output: string, bytesIn: number, value: TaskResults['sanitize']): Extract<CleanFileReport, { status: 'cleaned' }> {
  const { format, bytes, removed, kept, changed } = value;
  return {
    path: file.path,
    status: 'cleaned',
    output,
    format,
    changed,
    bytesIn,
    bytesOut: bytes.length,
    removed: removed.map(itemJson),
    kept: kept.map(itemJson),
  };
}

function writeFailed(file: FileEntry, output: string, error: unknown, inPlace: boolean): CleanFileReport {
  const message = `cannot write '${output}': ${describeIoError(error)}${inPlace ? '; the original is unchanged' : ''}`;
  return { path: file.path, status: 'error', code: 'WRITE_FAILED', message };
}

async function cleanOne(item: Planned, runner: TaskRunner, options: SanitizeOptions, inPlace: boolean, staged: boolean, linked: LinkedFile[]): Promise<CleanFileReport> {
  await haltAfterSignal();
  const { file, target, output } = item;
  const read = await readFileEntry(file);
  if (read.kind !== 'bytes') return notRead(file.path, read);

  const bytesIn = read.bytes.length;
  const response = await runner.run({ op: 'sanitize', bytes: read.bytes, options });
  if (!response.ok) return { path: file.path, status: 'error', ...response.failure };
  const { bytes, changed } = response.value;

  if (changed || !inPlace) {
    try {
      if (inPlace) {
        await replaceFileDurably(target, bytes, read.mode, { uid: read.uid, gid: read.gid });
      } else {
        ensureFolder(dirname(target));
        writeCopySync(target, bytes, read.mode, staged);
      }
    } catch (error) {
      return writeFailed(file, output, error, inPlace);
    }
  }
  const report = cleanedReport(file, output, bytesIn, response.value);
  if (inPlace && changed) linked.push({ report, identity: read });
  return report;
}

/**
 * `-o` on the main thread, one file after another: read into `scratch`, clean,
 * write the copy, all synchronous. The file's bytes and its clean copy are views
 * of the two scratch buffers, so the copy is written before the next file is read.
 */
function cleanCopySync(item: Planned, scratch: Scratch, options: SanitizeOptions, staged: boolean): CleanFileReport {
  const { file, target, output } = item;
  const read = readFileEntryInto(file, scratch.input);
  if (read.kind !== 'bytes') return notRead(file.path, read);
  const response = runTask({ op: 'sanitize', bytes: read.bytes, options }, scratch.output);
  if (!response.ok) return { path: file.path, status: 'error', ...response.failure };
  try {
    ensureFolder(dirname(target));
    writeCopySync(target, response.value.bytes, read.mode, staged);
  } catch (error) {
    return writeFailed(file, output, error, false);
  }
  return cleanedReport(file, output, read.bytes.length, response.value);
}

/** The two buffers the batch of copies reuses from file to file: each file is read into one, sanitized into the other. */
interface Scratch {
  input: ScratchBuffer;
  output: ScratchBuffer;
}

/** How long the synchronous batch works before it lets the event loop run (where a Ctrl-C or SIGTERM is handled). */
const YIELD_EVERY_MS = 20;

/**
 * The batch of copies (`-o`) when the images are cleaned on the main thread.
 * Nothing in it waits for the thread pool: per file, a promise per step and
 * a new buffer for every file's bytes cost more than the work itself (500 files
 * of 42 kB, see the README's Performance section). Signals are handled between
 * files, every `YIELD_EVERY_MS`; after one, no further file is started.
 */
async function cleanCopiesInline(planned: readonly Planned[], options: SanitizeOptions, staged: boolean, progress: Progress): Promise<CleanFileReport[]> {
  const scratch: Scratch = { input: new ScratchBuffer(), output: new ScratchBuffer() };
  const reports: CleanFileReport[] = [];
  let since = performance.now();
  for (const item of planned) {
    reports.push(cleanCopySync(item, scratch, options, staged));
    progress.tick();
    if (performance.now() - since >= YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      await haltAfterSignal();
      since = performance.now();
    }
  }
  return reports;
}

/**
 * After `--in-place`, the names that still lead to a replaced file's old inode:
 * its other hard links. They are looked for in the folders of the replaced files
 * (names elsewhere are counted, not named: finding them means searching the
 * whole file system, which `find <mount> -samefile <name>` does).
 */
function findUnsanitizedLinks(replaced: readonly LinkedFile[]): void {
  const key = ({ dev, ino }: FileIdentity) => `${dev}:${ino}`;
  const replacedNames = new Map<string, number>();
  for (const { identity } of replaced) replacedNames.set(key(identity), (replacedNames.get(key(identity)) ?? 0) + 1);
  const listings = new Map<string, string[]>();
  for (const { report, identity } of replaced) {
    if (identity.nlink < 2) continue;
    const folder = dirname(report.path);
    let names = listings.get(folder);
    if (names === undefined) {
      try {
        names = fs.readdirSync(folder);
      } catch {
        names = [];
      }
      listings.set(folder, names);
    }
    const unsanitized: string[] = [];
    for (const name of names) {
      const path = join(folder, name);
      const info = fs.lstatSync(path, { throwIfNoEntry: false });
      if (info !== undefined && info.ino === identity.ino && info.dev === identity.dev) unsanitized.push(path);
    }
    // Names of the same file cleaned in this run were replaced too: they do not count.
    const cleanedAlongside = (replacedNames.get(key(identity)) ?? 1) - 1;
    const others = identity.nlink - 1;
    const elsewhere = Math.max(0, others - unsanitized.length - cleanedAlongside);
    if (unsanitized.length + elsewhere > 0) report.hardLinks = { others, unsanitized, elsewhere, inode: identity.ino };
  }
}

/** Tell which names of a replaced file still carry its metadata. */
function warnAboutLinks(reports: readonly CleanFileReport[]): void {
  for (const report of reports) {
    if (report.status !== 'cleaned' || report.hardLinks === undefined) continue;
    const { unsanitized, elsewhere, inode } = report.hardLinks;
    const count = unsanitized.length + elsewhere;
    const named = unsanitized.length === 0 ? '' : `: ${unsanitized.join(', ')}`;
    const outside = elsewhere === 0 ? '' : `${unsanitized.length === 0 ? ':' : ' and'} ${plural(elsewhere, 'name')} in other folders (list them with: find <mount point> -xdev -inum ${inode})`;
    printError(
      `warning: ${report.path} was replaced, but ${plural(count, 'other name')} of the same file (hard ${count === 1 ? 'link' : 'links'}) still ${count === 1 ? 'holds' : 'hold'} the original metadata${named}${outside}`,
    );
  }
}

const SKIP_REASONS: Record<SkippedEntry['reason'], string> = {
  NOT_AN_IMAGE: 'not an image',
  SYMLINK: 'symbolic link (not followed)',
  SPECIAL_FILE: 'not a regular file',
};

/** `2 not an image, 1 symbolic link (not followed)`. */
function describeSkips(skipped: readonly { reason: SkippedEntry['reason'] }[]): string {
  const counts = new Map<SkippedEntry['reason'], number>();
  for (const { reason } of skipped) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => `${count} ${SKIP_REASONS[reason]}`).join(', ');
}

function printHuman(reports: readonly CleanFileReport[], args: CleanArgs): void {
  const cleaned = reports.filter((r) => r.status === 'cleaned');
  const skipped = reports.filter((r) => r.status === 'skipped');
  const rejected = reports.filter((r) => r.status === 'error');

  if (args.verbose) {
    for (const report of cleaned) {
      const where = args.inPlace ? '' : ` -> ${report.output}`;
      const what = report.removed.length === 0 ? 'nothing to remove' : `removed ${listItems(report.removed)}`;
      const keptText = report.kept.length === 0 ? '' : `; kept ${listItems(report.kept)}`;
      printLine(`${report.path}${where}: ${what}${keptText}`);
    }
    for (const report of skipped) printLine(`${report.path}: skipped, ${SKIP_REASONS[report.reason]}`);
  }

  const removedItems = cleaned.reduce((sum, r) => sum + r.removed.length, 0);
  const removedBytes = cleaned.reduce((sum, r) => sum + totalLength(r.removed), 0);
  const destination = args.inPlace ? 'in place' : `into ${args.outDir}`;
  const unchanged = cleaned.filter((r) => !r.changed).length;
  const alreadyClean = unchanged > 0 ? `; ${unchanged} already clean` : '';
  printLine(
    `Cleaned ${plural(cleaned.length, 'image')} ${destination}: removed ${plural(removedItems, 'metadata item')} (${formatBytes(removedBytes)})${alreadyClean}.`,
  );
  if (skipped.length > 0) {
    const hint = args.verbose ? '' : ' (--verbose lists them)';
    printLine(`Skipped ${plural(skipped.length, 'file')}: ${describeSkips(skipped)}${hint}.`);
  }
  if (rejected.length > 0) {
    printError(`Rejected ${plural(rejected.length, 'file')}, not written:`);
    for (const report of rejected) printError(`  ${report.path}: ${report.code}: ${report.message}`);
  }
  warnAboutLinks(reports);
}

/**
 * `image-sanitizer clean -`: a filter. The image comes from standard input, the
 * cleaned image goes to standard output, nothing else does (`-v` lists what
 * was removed on stderr). A file that cannot be cleaned writes nothing to stdout.
 */
async function cleanStdin(args: CleanArgs, options: SanitizeOptions): Promise<number> {
  if (process.stdout.isTTY) {
    throw new UsageError("refusing to write image bytes to a terminal; redirect standard output ('> out.jpg') or use -o", 'clean');
  }
  const [entry] = (await collectFiles(args.paths)).files;
  const read = await readFileEntry(entry);
  if (read.kind !== 'bytes') {
    printError(`-: ${read.kind === 'failed' ? `${read.code}: ${read.message}` : 'not an image'}`);
    return EXIT.FAILED;
  }
  const response = await new InlineRunner().run({ op: 'sanitize', bytes: read.bytes, options });
  if (!response.ok) {
    printError(`-: ${response.failure.code}: ${response.failure.message}; nothing written`);
    return EXIT.FAILED;
  }
  const { bytes, removed, kept } = response.value;
  await new Promise<void>((resolve, reject) => process.stdout.write(bytes, (error) => (error ? reject(error) : resolve())));
  if (args.verbose) {
    const what = removed.length === 0 ? 'nothing to remove' : `removed ${listItems(removed)}`;
    printError(`-: ${what}${kept.length === 0 ? '' : `; kept ${listItems(kept)}`}`);
  }
  return EXIT.OK;
}

/** `image-sanitizer clean`: write a sanitized copy of every image, or replace each in place. */
export async function runClean(args: CleanArgs): Promise<number> {
  // Resolved through symlinks, as the walk compares it with each folder's real path.
  const outDir = args.outDir === undefined ? undefined : realPathOr(args.outDir, resolve(args.outDir));
  if (args.outDir !== undefined) {
    const existing = statOrUndefined(args.outDir, fs.statSync);
    if (existing !== undefined && !existing.isDirectory()) {
      throw new UsageError(`the output '${args.outDir}' exists and is not a folder`, 'clean');
    }
  }
  const options: SanitizeOptions = { keepColorProfile: args.keepColorProfile, keepOrientation: args.keepOrientation };
  if (args.toStdout) return cleanStdin(args, options);
  const collected = await collectFiles(args.paths, { exclude: outDir });
  requireSomePath(args.paths, collected, 'clean');
  // A new output folder is staged and published with one rename (see staging.ts).
  const fresh = args.outDir !== undefined && statOrUndefined(args.outDir, fs.lstatSync) === undefined;
  const staging = fresh && collected.files.length > 0 ? StagingFolder.create(args.outDir as string) : undefined;
  let planned: Planned[];
  try {
    planned = plan(collected.files, args, staging);
  } catch (error) {
    staging?.publish(false); // removes it
    throw error;
  }

  const runner = await chooseRunner(collected.files, args.jobs);
  const progress = createProgress(planned.length, 'cleaning', args.progress);
  const linked: LinkedFile[] = [];
  let reports: CleanFileReport[] = [];
  try {
    const staged = staging !== undefined;
    reports = await withInterruptCleanup(
      () =>
        runner.workers === 0 && !args.inPlace
          ? cleanCopiesInline(planned, options, staged, progress)
          : mapLimit(planned, runner.concurrency, async (item) => {
              const report = await cleanOne(item, runner, options, args.inPlace, staged, linked);
              progress.tick();
              return report;
            }),
      () => progress.done(),
    );
  } finally {
    progress.done();
    await runner.close();
    staging?.publish(reports.some((r) => r.status === 'cleaned'));
  }
  requireImages(reports.filter((r) => r.status !== 'skipped').length, args.paths, collected, args.allowEmpty, 'clean');
  findUnsanitizedLinks(linked);
  const all: CleanFileReport[] = [
    ...collected.missing.map((m): CleanFileReport => ({ path: m.path, status: 'error', code: m.code, message: m.message })),
    ...reports,
    ...collected.skipped.map((s): CleanFileReport => ({ path: s.path, status: 'skipped', reason: s.reason })),
    ...collected.unreadable.map((u): CleanFileReport => ({ path: u.path, status: 'error', code: 'READ_FAILED', message: u.message })),
  ];
  const failed = all.some((r) => r.status === 'error');

  if (args.json) {
    const cleaned = all.filter((r) => r.status === 'cleaned');
    printJson({
      command: 'clean',
      ok: !failed,
      summary: {
        ...countStatuses(all, ['cleaned', 'skipped', 'error'] as const),
        changed: cleaned.filter((r) => r.changed).length,
        removedItems: cleaned.reduce((sum, r) => sum + r.removed.length, 0),
        bytesIn: cleaned.reduce((sum, r) => sum + r.bytesIn, 0),
        bytesOut: cleaned.reduce((sum, r) => sum + r.bytesOut, 0),
        workers: runner.workers,
      },
      files: all,
    });
    warnAboutLinks(all);
  } else {
    printHuman(all, args);
  }
  return failed ? EXIT.FAILED : EXIT.OK;
}
