import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import type { PipelineConfig } from '../../src/config.js';
import { createHandler } from '../../src/handler.js';
import { localS3Client } from '../../src/local/clients.js';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import { MemoryLogger } from '../../src/logger.js';
import { MetricTotals } from '../../src/metrics.js';
import { s3Helpers } from './s3.js';

/**
 * A real S3 + SQS stack on loopback for one test file (started in `beforeAll`, closed in `afterAll`)
 * and handlers on it. `stack`, `s3` and `io` are set once `beforeAll` has run.
 */
export function useHandlerStack(inputBucket: string, outputBucket: string) {
  const env = {
    config: { inputBucket, outputBucket, maxObjectBytes: 1024 * 1024, keepColorProfile: true, keepOrientation: true } as PipelineConfig,
    stack: undefined as unknown as LocalStack,
    s3: undefined as unknown as S3Client,
    io: undefined as unknown as ReturnType<typeof s3Helpers>,
    subject,
  };
  /** A handler on the test stack, with its log lines and metric totals. */
  function subject(config: Partial<PipelineConfig> = {}, client: S3Client = env.s3) {
    const logger = new MemoryLogger();
    const metrics = new MetricTotals();
    const handler = createHandler({ s3: client, config: { ...env.config, ...config }, logger, metrics });
    return { handler, logger, metrics };
  }
  beforeAll(async () => {
    env.stack = await startLocalStack({ inputBucket, outputBucket, s3Port: 0, sqsPort: 0 });
    env.s3 = localS3Client(env.stack.s3Endpoint);
    env.io = s3Helpers(env.s3);
  });
  afterAll(async () => {
    env.s3?.destroy();
    await env.stack?.close();
  });
  return env;
}
