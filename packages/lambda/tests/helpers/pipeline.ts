import type { S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { localS3Client } from '../../src/local/clients.js';
import { startLocalPipeline, type LocalPipeline } from '../../src/local/pipeline.js';
import { MemoryLogger } from '../../src/logger.js';
import { MetricTotals } from '../../src/metrics.js';
import { FlakyProxy } from './flaky-proxy.js';

export const INPUT = 'pipeline-test-input';
export const OUTPUT = 'pipeline-test-output';

export interface TestPipeline {
  readonly pipeline: LocalPipeline;
  /** A client straight to s3rver, for the test's own uploads and checks. */
  readonly s3: S3Client;
  readonly logger: MemoryLogger;
  readonly metrics: MetricTotals;
  /** Between the handler and s3rver, when asked for. */
  readonly proxy?: FlakyProxy;
  /** Messages now in the dead-letter queue (received and left there). */
  deadLetters(): Promise<number>;
  close(): Promise<void>;
}

/** The full local pipeline on free loopback ports, optionally with a flaky proxy in front of S3. */
export async function startTestPipeline(options: { withProxy?: boolean; maxReceiveCount?: number; visibilityTimeoutSeconds?: number } = {}): Promise<TestPipeline> {
  const logger = new MemoryLogger();
  const metrics = new MetricTotals();
  let proxy: FlakyProxy | undefined;
  const pipeline = await startLocalPipeline({
    config: { inputBucket: INPUT, outputBucket: OUTPUT, maxObjectBytes: 10 * 1024 * 1024, keepColorProfile: true, keepOrientation: true },
    logger,
    metrics,
    stack: { s3Port: 0, sqsPort: 0, visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 1, maxReceiveCount: options.maxReceiveCount ?? 3 },
    s3MaxAttempts: 1,
    ...(options.withProxy
      ? {
          handlerS3Endpoint: async (stack) => {
            proxy = await FlakyProxy.start(stack.s3Port);
            return proxy.endpoint;
          },
        }
      : {}),
  });
  const s3 = localS3Client(pipeline.stack.s3Endpoint);
  return {
    pipeline,
    s3,
    logger,
    metrics,
    ...(proxy ? { proxy } : {}),
    async deadLetters() {
      const { Messages = [] } = await pipeline.stack.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: pipeline.stack.dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0 }),
      );
      return Messages.length;
    },
    async close() {
      s3.destroy();
      await pipeline.close();
      await proxy?.close();
    },
  };
}
