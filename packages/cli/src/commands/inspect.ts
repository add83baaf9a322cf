import type { InspectResult, MetadataItem, SanitizeOptions } from '@image-sanitizer/core';
import type { InspectArgs } from '../args.js';
import { EXIT } from '../errors.js';
import { collectFiles, readFileEntry, requireImages, requireSomePath, type FileEntry } from '../files.js';
import { readMetadata, type FieldGroup, type ReadableMetadata } from '../metadata.js';
import { runTask } from '../tasks.js';
import { countStatuses, describeItem, formatBytes, itemJson, plural, printError, printJson, printLine, totalLength } from '../report.js';

/** The report for one file, as it appears in the JSON output. */
export type InspectFileReport =
  | {
      path: string;
      status: 'inspected';
      format: InspectResult['format'];
      size: number;
      orientation?: number;
      /** What exifr decodes; `null` with `metadataError` when it could not read the file. */
      metadata: ReadableMetadata | null;
      metadataError?: string;
      /** What `clean` with the same options would remove / keep. */
      removable: MetadataItem[];
      kept: MetadataItem[];
    }
  | { path: string; status: 'error'; code: string; message: string };

const GROUP_TITLES: Record<FieldGroup, string> = {
  camera: 'Camera',
  dates: 'Dates',
  software: 'Software',
  author: 'Author',
  description: 'Description',
  location: 'Location',
};

const ORIENTATIONS: Record<number, string> = {
  1: 'upright',
  2: 'mirrored',
  3: 'rotated 180°',
  4: 'mirrored vertically',
  5: 'mirrored, rotated 90° counter-clockwise',
  6: 'rotated 90° clockwise',
  7: 'mirrored, rotated 90° clockwise',
  8: 'rotated 90° counter-clockwise',
};

async function inspectOne(file: FileEntry, options: SanitizeOptions): Promise<InspectFileReport | undefined> {
  const read = await readFileEntry(file);
  if (read.kind === 'failed') return { path: file.path, status: 'error', code: read.code, message: read.message };
  if (read.kind === 'not-an-image') return undefined;
  const readable = await readMetadata(read.bytes);
  const response = runTask({ op: 'inspect', bytes: read.bytes, options });
  if (!response.ok) return { path: file.path, status: 'error', ...response.failure };
  const { format, size, orientation, removable, kept } = response.value;
  return {
    path: file.path,
    status: 'inspected',
    format,
    size,
    ...(orientation === undefined ? {} : { orientation }),
    metadata: 'metadata' in readable ? readable.metadata : null,
    ...('error' in readable ? { metadataError: readable.error } : {}),
    removable: removable.map(itemJson),
    kept: kept.map(itemJson),
  };
}

function printItems(verb: string, items: readonly MetadataItem[], width: number): void {
  for (const item of items) {
    printLine(`    ${verb}  ${describeItem(item).padEnd(width)}  ${item.kind.padEnd(15)} ${formatBytes(item.length).padStart(8)} at ${item.offset}`);
  }
}

function printReport(report: Extract<InspectFileReport, { status: 'inspected' }>, options: SanitizeOptions): void {
  const orientation = report.orientation === undefined ? '' : `, orientation ${report.orientation} (${ORIENTATIONS[report.orientation] ?? 'unknown'})`;
  printLine(`${report.path}: ${report.format.toUpperCase()}, ${formatBytes(report.size)}${orientation}`);

  const { metadata } = report;
  if (metadata === null) {
    printLine(`  Readable metadata: exifr could not read this file (${report.metadataError})`);
  } else if (metadata.gps === undefined && metadata.fields.length === 0) {
    printLine('  Readable metadata: none found (no GPS, camera, dates, software or author fields)');
  } else {
    printLine('  Readable metadata (decoded with exifr):');
    if (metadata.gps !== undefined) {
      const { latitude, longitude, altitude } = metadata.gps;
      const height = altitude === undefined ? '' : `, altitude ${altitude} m`;
      printLine(`    ${'GPS'.padEnd(12)}${latitude.toFixed(6)}, ${longitude.toFixed(6)}${height}`);
    }
    let lastGroup: FieldGroup | undefined;
    for (const field of metadata.fields) {
      const title = field.group === lastGroup ? '' : GROUP_TITLES[field.group];
      lastGroup = field.group;
      printLine(`    ${title.padEnd(12)}${field.tag}: ${field.value}`);
    }
  }

  if (report.removable.length + report.kept.length === 0) {
    printLine('  Containers: no metadata containers');
  } else {
    printLine('  Containers (found by image-sanitizer):');
    const width = Math.max(...[...report.removable, ...report.kept].map((item) => describeItem(item).length));
    printItems('remove', report.removable, width);
    printItems('keep  ', report.kept, width);
  }

  const keeps = report.kept.length === 0 ? '' : `keep ${plural(report.kept.length, 'container')}`;
  const removes =
    report.removable.length === 0
      ? `already clean: clean would remove nothing${keeps === '' ? '' : ` and ${keeps}`}`
      : `clean would remove ${plural(report.removable.length, 'container')} (${formatBytes(totalLength(report.removable))})${keeps === '' ? '' : ` and ${keeps}`}`;
  const flags = [options.keepColorProfile === false ? '--no-keep-color-profile' : '', options.keepOrientation === false ? '--no-keep-orientation' : '']
    .filter(Boolean)
    .join(' ');
  printLine(`  ${removes}${flags === '' ? '' : ` (with ${flags})`}.`);
}

/** `image-sanitizer inspect`: what each image carries, and what `clean` would do about it. */
export async function runInspect(args: InspectArgs): Promise<number> {
  const collected = await collectFiles(args.paths);
  requireSomePath(args.paths, collected, 'inspect');
  const options: SanitizeOptions = { keepColorProfile: args.keepColorProfile, keepOrientation: args.keepOrientation };
  const reports: InspectFileReport[] = [];
  for (const file of collected.files) {
    const report = await inspectOne(file, options);
    if (report !== undefined) reports.push(report);
  }
  requireImages(reports.length, args.paths, collected, args.allowEmpty, 'inspect');
  reports.unshift(...collected.missing.map((m): InspectFileReport => ({ path: m.path, status: 'error', code: m.code, message: m.message })));
  for (const folder of collected.unreadable) {
    reports.push({ path: folder.path, status: 'error', code: 'READ_FAILED', message: folder.message });
  }
  const failed = reports.some((r) => r.status === 'error');

  if (args.json) {
    printJson({ command: 'inspect', ok: !failed, summary: countStatuses(reports, ['inspected', 'error'] as const), files: reports });
    return failed ? EXIT.FAILED : EXIT.OK;
  }
  let first = true;
  for (const report of reports) {
    if (report.status === 'error') {
      printError(`${report.path}: cannot inspect: ${report.code}: ${report.message}`);
      continue;
    }
    if (!first) printLine();
    first = false;
    printReport(report, options);
  }
  if (reports.length === 0) printLine('No images found.');
  return failed ? EXIT.FAILED : EXIT.OK;
}
