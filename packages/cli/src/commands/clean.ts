import { mkdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ImageFormat, MetadataItem, SanitizeOptions } from '@image-sanitizer/core';
import type { CleanArgs } from '../args.js';
import { writeFileAtomic } from '../atomic-write.js';
import { describeIoError, EXIT, UsageError } from '../errors.js';
import { collectFiles, readFileEntry, type FileEntry, type SkippedEntry } from '../files.js';
import { withInterruptCleanup } from '../interrupt.js';
import { chooseRunner, mapLimit, type TaskRunner } from '../pool.js';
import { createProgress } from '../progress.js';
import { formatBytes, itemJson, listItems, plural, printError, printJson, printLine, totalLength } from '../report.js';

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
    }
  | { path: string; status: 'skipped'; reason: SkippedEntry['reason'] }
  | { path: string; status: 'rejected'; code: string; message: string };

interface Planned {
  file: FileEntry;
  /** The path written to. */
  target: string;
  /** The path shown in reports. */
  output: string;
}

/**
 * Where a write to `path` lands: its folder with symlinks resolved, then its
 * name (a rename replaces that directory entry). Undefined when the folder does
 * not exist yet, so nothing there can be an input.
 */
async function landingPath(path: string, folders: Map<string, Promise<string | undefined>>): Promise<string | undefined> {
  const folder = dirname(resolve(path));
  let real = folders.get(folder);
  if (real === undefined) {
    real = realpath(folder).catch(() => undefined);
    folders.set(folder, real);
  }
  const resolved = await real;
  return resolved === undefined ? undefined : join(resolved, basename(path));
}

/**
 * Every name under which an input can be replaced, mapped to the input: the
 * entry itself and, for a named symlink, the file it points to.
 */
async function inputLocations(files: readonly FileEntry[], folders: Map<string, Promise<string | undefined>>): Promise<Map<string, string>> {
  const locations = new Map<string, string>();
  for (const file of files) {
    const entry = await landingPath(file.path, folders);
    if (entry !== undefined) locations.set(entry, file.path);
    if (file.explicit) locations.set(await realpath(file.path).catch(() => resolve(file.path)), file.path);
  }
  return locations;
}

/**
 * Map every file to its output. With -o, an output that would replace an input
 * (the output folder is an input folder, however spelt) and two inputs that
 * would land on the same output are usage errors.
 */
async function plan(files: readonly FileEntry[], args: CleanArgs): Promise<Planned[]> {
  const planned: Planned[] = [];
  const byTarget = new Map<string, string>();
  const folders = new Map<string, Promise<string | undefined>>();
  const inputs = args.outDir === undefined ? new Map<string, string>() : await inputLocations(files, folders);
  for (const file of files) {
    let target: string;
    let output: string;
    if (args.outDir !== undefined) {
      output = join(args.outDir, file.relative);
      target = output;
      const victim = inputs.get((await landingPath(target, folders)) ?? '');
      if (victim !== undefined) {
        throw new UsageError(
          `writing '${output}' would replace the input '${victim}'; choose an output folder apart from the inputs, or use --in-place`,
          'clean',
        );
      }
    } else {
      // Replace the file a symlink points to, not the link.
      output = file.path;
      target = await realpath(file.path).catch(() => file.path);
    }
    const key = resolve(target);
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

/** Output folders made so far, so each is created once per run. */
const madeFolders = new Map<string, Promise<unknown>>();

function ensureFolder(folder: string): Promise<unknown> {
  let made = madeFolders.get(folder);
  if (made === undefined) {
    made = mkdir(folder, { recursive: true });
    madeFolders.set(folder, made);
  }
  return made;
}

async function cleanOne(item: Planned, runner: TaskRunner, options: SanitizeOptions, inPlace: boolean): Promise<CleanFileReport> {
  const { file, target, output } = item;
  const read = await readFileEntry(file);
  if (read.kind === 'failed') return { path: file.path, status: 'rejected', code: read.code, message: read.message };
  if (read.kind === 'not-an-image') return { path: file.path, status: 'skipped', reason: 'NOT_AN_IMAGE' };

  const bytesIn = read.bytes.length;
  const response = await runner.run({ op: 'sanitize', bytes: read.bytes, options });
  if (!response.ok) return { path: file.path, status: 'rejected', ...response.failure };
  const { format, bytes, removed, kept, changed } = response.value;

  if (changed || !inPlace) {
    try {
      if (!inPlace) await ensureFolder(dirname(target));
      await writeFileAtomic(target, bytes, {
        mode: read.mode,
        durable: inPlace,
        ...(inPlace ? { owner: { uid: read.uid, gid: read.gid } } : {}),
      });
    } catch (error) {
      const message = `cannot write '${output}': ${describeIoError(error)}${inPlace ? '; the original is unchanged' : ''}`;
      return { path: file.path, status: 'rejected', code: 'WRITE_FAILED', message };
    }
  }
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
  const rejected = reports.filter((r) => r.status === 'rejected');

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
}

/** `image-sanitizer clean`: write a sanitized copy of every image, or replace each in place. */
export async function runClean(args: CleanArgs): Promise<number> {
  // Resolved through symlinks, as the walk compares it with each folder's real path.
  const outDir = args.outDir === undefined ? undefined : await realpath(args.outDir).catch(() => resolve(args.outDir as string));
  if (args.outDir !== undefined) {
    const existing = await stat(args.outDir).catch(() => undefined);
    if (existing !== undefined && !existing.isDirectory()) {
      throw new UsageError(`the output '${args.outDir}' exists and is not a folder`, 'clean');
    }
  }
  const collected = await collectFiles(args.paths, { exclude: outDir });
  const planned = await plan(collected.files, args);
  const options: SanitizeOptions = { keepColorProfile: args.keepColorProfile, keepOrientation: args.keepOrientation };

  const runner = chooseRunner(collected.files, args.jobs);
  const progress = createProgress(planned.length, 'cleaning', args.progress);
  let reports: CleanFileReport[];
  try {
    reports = await withInterruptCleanup(
      () =>
        mapLimit(planned, runner.concurrency, async (item) => {
          const report = await cleanOne(item, runner, options, args.inPlace);
          progress.tick();
          return report;
        }),
      () => progress.done(),
    );
  } finally {
    progress.done();
    await runner.close();
  }
  const all: CleanFileReport[] = [
    ...reports,
    ...collected.skipped.map((s): CleanFileReport => ({ path: s.path, status: 'skipped', reason: s.reason })),
    ...collected.unreadable.map((u): CleanFileReport => ({ path: u.path, status: 'rejected', code: 'READ_FAILED', message: u.message })),
  ];
  const failed = all.some((r) => r.status === 'rejected');

  if (args.json) {
    const cleaned = all.filter((r) => r.status === 'cleaned');
    printJson({
      command: 'clean',
      ok: !failed,
      summary: {
        cleaned: cleaned.length,
        changed: cleaned.filter((r) => r.changed).length,
        skipped: all.filter((r) => r.status === 'skipped').length,
        rejected: all.filter((r) => r.status === 'rejected').length,
        removedItems: cleaned.reduce((sum, r) => sum + r.removed.length, 0),
        bytesIn: cleaned.reduce((sum, r) => sum + r.bytesIn, 0),
        bytesOut: cleaned.reduce((sum, r) => sum + r.bytesOut, 0),
        workers: runner.workers,
      },
      files: all,
    });
  } else {
    printHuman(all, args);
  }
  return failed ? EXIT.FAILED : EXIT.OK;
}
