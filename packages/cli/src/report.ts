import type { MetadataItem } from '@image-sanitizer/core';

/** `1 file`, `2 files`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Sizes as a person reads them: `812 B`, `12.3 kB`, `4.1 MB` (powers of 1000). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `APP1 Exif`, `tEXt keyword=Author`, `trailer`: the container and its label. */
export function describeItem(item: MetadataItem): string {
  return item.label !== undefined && item.label !== '' ? `${item.container} ${item.label}` : item.container;
}

/** A short list of items for one line, e.g. `APP1 Exif, COM, trailer`, with `+N more` past `max`. */
export function listItems(items: readonly MetadataItem[], max = 6): string {
  const names = items.slice(0, max).map(describeItem);
  if (items.length > max) names.push(`+${items.length - max} more`);
  return names.join(', ');
}

export function totalLength(items: readonly MetadataItem[]): number {
  return items.reduce((sum, item) => sum + item.length, 0);
}

/** The JSON form of a metadata item: every field, positions in the shared vocabulary. */
export function itemJson(item: MetadataItem): MetadataItem {
  const { kind, container, offset, length, label } = item;
  return label === undefined ? { kind, container, offset, length } : { kind, container, offset, length, label };
}

/**
 * The version of the `--json` document's shape. Raised on any change a reader
 * could trip over (a field renamed or removed, a status added); new fields
 * alone do not raise it.
 */
export const JSON_SCHEMA_VERSION = 1;

/**
 * Every `status` a file can have, in every command's `--json` report: one
 * vocabulary, each command using the part that applies to it.
 * - `cleaned`: clean wrote the sanitized image (or, in place, found nothing to remove)
 * - `clean` / `dirty`: check found nothing / something `clean` would remove
 * - `inspected`: inspect read the file
 * - `skipped`: passed over with a `reason` (found in a folder, not an image; a symlink; ...)
 * - `error`: could not be processed, with a `code` and a `message`; never written, never vouched for
 */
export type FileStatus = 'cleaned' | 'clean' | 'dirty' | 'inspected' | 'skipped' | 'error';

/** How many files have each of `statuses`: the summary's counts, keyed by status. */
export function countStatuses<S extends FileStatus>(files: readonly { status: FileStatus }[], statuses: readonly S[]): Record<S, number> {
  const counts = Object.fromEntries(statuses.map((status) => [status, 0])) as Record<S, number>;
  for (const file of files) if ((statuses as readonly FileStatus[]).includes(file.status)) counts[file.status as S]++;
  return counts;
}

/** Print a machine-readable report: one JSON document on stdout, the same envelope for every command. */
export function printJson(report: { command: string; ok: boolean; summary: Record<string, number>; files: readonly { status: FileStatus }[] }): void {
  process.stdout.write(`${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, ...report }, null, 2)}\n`);
}

/**
 * C0 and C1 control characters, and the bidirectional overrides that reorder
 * what a terminal shows. File names and metadata values are chosen by whoever
 * made the file: printed raw, they could clear the screen, forge a line of the
 * report or send terminal commands.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** One line of text as it is safe to show: every unprintable character as `\n`, `\x1b`, `\u202e`. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    if (char === '\n') return '\\n';
    if (char === '\t') return '\\t';
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/** One line of the text report on stdout, unprintable characters escaped. */
export function printLine(line = ''): void {
  process.stdout.write(`${printable(line)}\n`);
}

/** One line of the text report on stderr, unprintable characters escaped. */
export function printError(line: string): void {
  process.stderr.write(`${printable(line)}\n`);
}
