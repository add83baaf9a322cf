/** One sample as the table shows it: what went in, what came out. */
export interface SampleRow {
  readonly key: string;
  /** Detected from the input's magic bytes; `?` when unknown. */
  readonly format: string;
  readonly sizeIn: number;
  readonly sizeOut?: number;
  readonly removed: readonly string[];
  readonly kept: readonly string[];
  readonly outcome: 'sanitized' | 'rejected' | 'pending';
  /** The rejection reason (`sanitizer-reason` tag). */
  readonly reason?: string;
}

const HEADERS = ['key', 'format', 'size in → out', 'removed', 'kept', 'outcome'] as const;

/** A plain-text table, one line per sample, columns padded to fit. */
export function formatTable(rows: readonly SampleRow[]): string {
  const cells = rows.map((row) => [
    row.key,
    row.format,
    `${formatBytes(row.sizeIn)} → ${row.sizeOut === undefined ? '-' : formatBytes(row.sizeOut)}`,
    row.removed.join(',') || '-',
    row.kept.join(',') || '-',
    row.reason === undefined ? row.outcome : `${row.outcome} (${row.reason})`,
  ]);
  const widths = HEADERS.map((header, column) => Math.max(header.length, ...cells.map((line) => line[column].length)));
  const render = (line: readonly string[]) => line.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return [render(HEADERS), render(widths.map((width) => '-'.repeat(width))), ...cells.map(render)].join('\n');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
