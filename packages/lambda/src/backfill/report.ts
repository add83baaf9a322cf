import type { BatchOperationsResult } from '../batch-operations.js';

/**
 * The completion report of S3 Batch Operations (format `Report_CSV_20180820`), one row per task:
 * `Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage` as the report's
 * manifest.json names the schema. No header line: AWS's report files have none.
 *
 * Rows are written the way AWS's documented example rows of a Lambda job read:
 * `bucket,key,,failed,200,PermanentFailure,"message"` — after TaskStatus comes the status of the
 * Lambda invocation (200) and then the task's result code (empty when it succeeded).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-examples-reports.html
 */
export const REPORT_SCHEMA = ['Bucket', 'Key', 'VersionId', 'TaskStatus', 'ErrorCode', 'HTTPStatusCode', 'ResultMessage'] as const;

export interface ReportRow {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly result: BatchOperationsResult;
}

/** HTTP status of a Lambda invocation that returned a response (whatever its result codes). */
const INVOKED = '200';

/** One CSV line (with its line ending). */
export function reportLine(row: ReportRow): string {
  const succeeded = row.result.resultCode === 'Succeeded';
  const fields = [
    row.bucket,
    row.key,
    row.versionId ?? '',
    succeeded ? 'succeeded' : 'failed',
    INVOKED,
    succeeded ? '' : row.result.resultCode,
    row.result.resultString,
  ];
  return `${fields.map(csvField).join(',')}\n`;
}

/** RFC 4180: quote a field holding a comma, a quote or a line break; double the quotes. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Split report text back into rows of fields (RFC 4180), for tests and for reading AWS's reports. */
export function parseReport(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let at = 0; at < text.length; at++) {
    const c = text[at];
    if (quoted) {
      if (c === '"' && text[at + 1] === '"') {
        field += '"';
        at++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}
