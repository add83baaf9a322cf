import type { ImageFormat, MetadataItem, SanitizeOptions } from '@image-sanitizer/core';
import type { CheckArgs } from '../args.js';
import { EXIT } from '../errors.js';
import { collectFiles, readFileEntry, requireImages, requireSomePath, type FileEntry, type SkippedEntry } from '../files.js';
import { withInterruptCleanup } from '../interrupt.js';
import { chooseRunner, mapLimit, type TaskRunner } from '../pool.js';
import { createProgress } from '../progress.js';
import { countStatuses, itemJson, listItems, plural, printError, printJson, printLine } from '../report.js';

/** The verdict for one file, as it appears in the JSON report. */
export type CheckFileReport =
  | { path: string; status: 'clean'; format: ImageFormat }
  /** Carries metadata `clean` (with the same options) would remove. */
  | { path: string; status: 'dirty'; format: ImageFormat; removable: MetadataItem[] }
  /** Could not be verified: unreadable, not an image although named, unsupported or malformed. */
  | { path: string; status: 'error'; code: string; message: string }
  | { path: string; status: 'skipped'; reason: SkippedEntry['reason'] };

async function checkOne(file: FileEntry, runner: TaskRunner, options: SanitizeOptions): Promise<CheckFileReport> {
  const read = await readFileEntry(file);
  if (read.kind === 'failed') return { path: file.path, status: 'error', code: read.code, message: read.message };
  if (read.kind === 'not-an-image') return { path: file.path, status: 'skipped', reason: 'NOT_AN_IMAGE' };
  const response = await runner.run({ op: 'inspect', bytes: read.bytes, options });
  if (!response.ok) return { path: file.path, status: 'error', ...response.failure };
  const { format, removable } = response.value;
  if (removable.length === 0) return { path: file.path, status: 'clean', format };
  return { path: file.path, status: 'dirty', format, removable: removable.map(itemJson) };
}

/** `image-sanitizer check`: exit 1 when any image carries removable metadata or cannot be verified. */
export async function runCheck(args: CheckArgs): Promise<number> {
  const collected = await collectFiles(args.paths);
  requireSomePath(args.paths, collected, 'check');
  const options: SanitizeOptions = { keepColorProfile: args.keepColorProfile, keepOrientation: args.keepOrientation };
  const runner = await chooseRunner(collected.files, args.jobs);
  const progress = createProgress(collected.files.length, 'checking', args.progress);
  let reports: CheckFileReport[];
  try {
    reports = await withInterruptCleanup(
      () =>
        mapLimit(collected.files, runner.concurrency, async (file) => {
          const report = await checkOne(file, runner, options);
          progress.tick();
          return report;
        }),
      () => progress.done(),
    );
  } finally {
    progress.done();
    await runner.close();
  }
  requireImages(reports.filter((r) => r.status !== 'skipped').length, args.paths, collected, args.allowEmpty, 'check');
  reports.unshift(...collected.missing.map((m): CheckFileReport => ({ path: m.path, status: 'error', code: m.code, message: m.message })));
  reports.push(...collected.skipped.map((s): CheckFileReport => ({ path: s.path, status: 'skipped', reason: s.reason })));
  reports.push(
    ...collected.unreadable.map((u): CheckFileReport => ({ path: u.path, status: 'error', code: 'READ_FAILED', message: u.message })),
  );

  const count = (status: CheckFileReport['status']) => reports.filter((r) => r.status === status).length;
  const dirty = count('dirty');
  const errors = count('error');
  const ok = dirty === 0 && errors === 0;

  if (args.json) {
    printJson({
      command: 'check',
      ok,
      summary: { ...countStatuses(reports, ['clean', 'dirty', 'skipped', 'error'] as const), workers: runner.workers },
      files: reports,
    });
    return ok ? EXIT.OK : EXIT.FAILED;
  }

  for (const report of reports) {
    if (report.status === 'dirty') printLine(`${report.path}: ${plural(report.removable.length, 'removable item')}: ${listItems(report.removable)}`);
  }
  for (const report of reports) {
    if (report.status === 'error') printError(`${report.path}: cannot check: ${report.code}: ${report.message}`);
  }
  const images = count('clean') + dirty;
  if (ok) {
    printLine(images === 0 ? 'No images found.' : `All ${plural(images, 'image')} clean.`);
  } else {
    const parts = [];
    if (dirty > 0) parts.push(`${plural(dirty, 'image')} of ${images} ${dirty === 1 ? 'carries' : 'carry'} removable metadata`);
    if (errors > 0) parts.push(`${plural(errors, 'file')} could not be checked`);
    printLine(`${parts.join('; ')}.`);
    if (dirty > 0) printLine("Run 'image-sanitizer clean --in-place <files>' to remove it.");
  }
  return ok ? EXIT.OK : EXIT.FAILED;
}
