import { resolve } from 'node:path';
import { loadConfig, type PipelineConfig } from '../config.js';
import { createHandler } from '../handler.js';
import { localS3Client } from '../local/clients.js';
import { ConsoleLogger } from '../local/console-logger.js';
import { DEFAULT_INPUT_BUCKET, DEFAULT_OUTPUT_BUCKET, DEFAULT_S3_PORT } from '../local/defaults.js';
import { MetricTotals } from '../metrics.js';
import { runLocalBackfill, type LocalBackfillSummary } from './local.js';
import { ProgressBar } from './progress.js';

export interface LocalCommandOptions {
  readonly prefix?: string;
  readonly reportFile: string;
  readonly concurrency: number;
  readonly force: boolean;
}

/**
 * `npm run backfill -- --local`: the local stack's input bucket (`npm start`, on S3_PORT) through
 * the handler as Batch Operations would drive it. INPUT_BUCKET, OUTPUT_BUCKET and the other
 * pipeline variables mean what they mean for `npm start`.
 */
export async function runLocalCommand(options: LocalCommandOptions, env: NodeJS.ProcessEnv = process.env): Promise<LocalBackfillSummary> {
  const inputBucket = env.INPUT_BUCKET || DEFAULT_INPUT_BUCKET;
  const config: PipelineConfig = loadConfig({ ...env, INPUT_BUCKET: inputBucket, OUTPUT_BUCKET: env.OUTPUT_BUCKET || DEFAULT_OUTPUT_BUCKET });
  const port = env.S3_PORT?.trim() || String(DEFAULT_S3_PORT);
  const endpoint = `http://127.0.0.1:${port}`;
  const s3 = localS3Client(endpoint);
  const handler = createHandler({ s3, config, logger: new ConsoleLogger(false), metrics: new MetricTotals() });
  const reportFile = resolve(options.reportFile);
  console.log(`Backfill of s3://${inputBucket}/${options.prefix ?? ''} on ${endpoint} into s3://${config.outputBucket}/ (${options.concurrency} at a time)`);
  try {
    const summary = await runLocalBackfill({
      s3,
      handler,
      bucket: inputBucket,
      ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
      concurrency: options.concurrency,
      force: options.force,
      reportFile,
      progress: new ProgressBar('backfill'),
    });
    console.log(
      `${summary.objects} objects in ${summary.seconds.toFixed(1)} s: ${summary.succeeded} succeeded (${summary.alreadyCurrent} already current), ` +
        `${summary.permanentFailures} rejected or refused, ${summary.temporaryFailures} failed after retries.`,
    );
    console.log(`Completion report (Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage): ${reportFile}`);
    return summary;
  } finally {
    s3.destroy();
  }
}
