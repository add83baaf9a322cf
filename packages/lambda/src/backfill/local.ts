import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { BatchOperationsResponse, BatchOperationsResult } from '../batch-operations.js';
import { encodeS3Key } from '../events.js';
import type { SanitizerHandler } from '../handler.js';
import type { ProgressBar } from './progress.js';
import { reportLine, type ReportRow } from './report.js';

export interface LocalBackfillOptions {
  /** Lists the bucket. */
  readonly s3: S3Client;
  /** The same handler the Lambda runs, on its own S3 client. */
  readonly handler: SanitizerHandler;
  readonly bucket: string;
  /** Only keys starting with this. */
  readonly prefix?: string;
  /** Invocations under way at once. Default 8. */
  readonly concurrency?: number;
  /** Keys per ListObjectsV2 page. Default 1000 (S3's maximum). */
  readonly pageSize?: number;
  /** Attempts per object while the handler answers TemporaryFailure (Batch Operations retries too). Default 3. */
  readonly attempts?: number;
  /** Sanitize again even where the output is current (`userArguments.force`). */
  readonly force?: boolean;
  /** Where the completion report goes; one CSV row per object. */
  readonly reportFile?: string;
  readonly progress?: ProgressBar;
}

export interface LocalBackfillSummary {
  readonly objects: number;
  readonly succeeded: number;
  readonly permanentFailures: number;
  readonly temporaryFailures: number;
  /** Succeeded without writing: the output was already current. */
  readonly alreadyCurrent: number;
  readonly seconds: number;
}

const JOB_ID = 'local-backfill';

/**
 * What an S3 Batch Operations job with a generated manifest does, on the local stack: list the
 * bucket page by page, invoke the handler once per object with a `LambdaInvoke` event (schema
 * 2.0, key URL-encoded as Batch Operations sends it), at most `concurrency` at a time, retry
 * `TemporaryFailure`s, and write each result as a completion-report row as it arrives. Memory
 * holds one listing page and the invocations under way, whatever the bucket's size.
 */
export async function runLocalBackfill(options: LocalBackfillOptions): Promise<LocalBackfillSummary> {
  const started = performance.now();
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const report = options.reportFile === undefined ? undefined : createWriteStream(options.reportFile);
  const counts = { objects: 0, succeeded: 0, permanentFailures: 0, temporaryFailures: 0, alreadyCurrent: 0 };
  let listed = 0;
  let listingDone = false;
  const state = () => ({ done: counts.objects, failed: counts.permanentFailures + counts.temporaryFailures, ...(listingDone ? { total: listed } : {}) });

  const running = new Set<Promise<void>>();
  let taskNumber = 0;
  try {
    const pages = paginateListObjectsV2(
      { client: options.s3, pageSize: options.pageSize ?? 1000 },
      { Bucket: options.bucket, ...(options.prefix ? { Prefix: options.prefix } : {}) },
    );
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        listed++;
        while (running.size >= concurrency) await Promise.race(running);
        const key = object.Key;
        const job = (async () => {
          const result = await invokeWithRetries(options, key, `task-${++taskNumber}`);
          counts.objects++;
          if (result.resultCode === 'Succeeded') counts.succeeded++;
          else if (result.resultCode === 'PermanentFailure') counts.permanentFailures++;
          else counts.temporaryFailures++;
          if (result.resultString.startsWith('current:')) counts.alreadyCurrent++;
          if (report !== undefined) await write(report, reportLine({ bucket: options.bucket, key, result }));
          options.progress?.update(state());
        })();
        running.add(job);
        void job.finally(() => running.delete(job));
      }
    }
    listingDone = true;
    await Promise.all(running);
  } finally {
    await Promise.allSettled(running);
    if (report !== undefined) await new Promise((resolve) => report.end(resolve));
  }
  options.progress?.finish(state());
  return { ...counts, seconds: (performance.now() - started) / 1000 };
}

async function invokeWithRetries(options: LocalBackfillOptions, key: string, taskId: string): Promise<BatchOperationsResult> {
  const attempts = Math.max(1, options.attempts ?? 3);
  let result: BatchOperationsResult | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    result = await invokeOnce(options, key, taskId, attempt);
    if (result.resultCode !== 'TemporaryFailure') return result;
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
  }
  return result!;
}

async function invokeOnce(options: LocalBackfillOptions, key: string, taskId: string, attempt: number): Promise<BatchOperationsResult> {
  const event = {
    invocationSchemaVersion: '2.0',
    invocationId: `${JOB_ID}-${taskId}-${attempt}`,
    job: { id: JOB_ID, userArguments: options.force ? { force: 'true' } : {} },
    tasks: [{ taskId, s3Bucket: options.bucket, s3Key: encodeS3Key(key), s3VersionId: null }],
  };
  try {
    const response = (await options.handler(event)) as BatchOperationsResponse;
    const result = response.results.find((r) => r.taskId === taskId);
    // What Batch Operations does with `treatMissingKeysAs: PermanentFailure`.
    return result ?? { taskId, resultCode: response.treatMissingKeysAs, resultString: 'no result for the task' };
  } catch (error) {
    // A function error: Batch Operations counts the task as failed and may retry it.
    return { taskId, resultCode: 'TemporaryFailure', resultString: `Lambda returned function error: ${String((error as Error).message ?? error)}` };
  }
}

function write(stream: WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.write(text)) resolve();
    else stream.once('drain', resolve).once('error', reject);
  });
}

export type { ReportRow };
