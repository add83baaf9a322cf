import type { PipelineConfig } from '../config.js';
import { createHandler, type SanitizerHandler } from '../handler.js';
import type { PipelineLogger } from '../logger.js';
import type { PipelineMetrics } from '../metrics.js';
import { localS3Client } from './clients.js';
import { startPoller, type Poller } from './poller.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from './stack.js';

export interface LocalPipelineOptions {
  /** Must name an input bucket: the local stack creates it and routes its events. */
  readonly config: PipelineConfig & { readonly inputBucket: string };
  readonly logger: PipelineLogger;
  readonly metrics: PipelineMetrics;
  readonly stack?: Omit<LocalStackOptions, 'inputBucket' | 'outputBucket'>;
  /** Where the handler sends its S3 requests. Default: s3rver itself (tests put a proxy in between). */
  readonly handlerS3Endpoint?: (stack: LocalStack) => string | Promise<string>;
  /** Handler S3 client attempts per request (the SDK's own retries). Default 2. */
  readonly s3MaxAttempts?: number;
  readonly concurrency?: number;
  readonly onPollError?: (error: unknown) => void;
}

export interface LocalPipeline {
  readonly stack: LocalStack;
  readonly handler: SanitizerHandler;
  close(): Promise<void>;
}

/**
 * The whole pipeline on loopback: S3 (s3rver) → notification → SQS (fauxqs,
 * with a dead-letter queue) → the same handler the Lambda runs.
 */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const { config } = options;
  const stack = await startLocalStack({ ...options.stack, inputBucket: config.inputBucket, outputBucket: config.outputBucket });
  const s3Endpoint = (await options.handlerS3Endpoint?.(stack)) ?? stack.s3Endpoint;
  const s3 = localS3Client(s3Endpoint, { maxAttempts: options.s3MaxAttempts ?? 2 });
  const handler = createHandler({ s3, config, logger: options.logger, metrics: options.metrics });
  const poller: Poller = startPoller({
    sqs: stack.sqs,
    queueUrl: stack.queueUrl,
    queueArn: stack.queueArn,
    handler,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.onPollError === undefined ? {} : { onError: options.onPollError }),
  });
  return {
    stack,
    handler,
    async close() {
      await poller.stop();
      s3.destroy();
      await stack.close();
    },
  };
}
