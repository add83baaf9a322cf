// Your own Lambda entry around the same handler: a tuned S3 client, stricter settings, your logger.
// Compiled by the test suite (`tsc -p examples`). The packaged entry (`index.handler` of the bundle)
// does the same from environment variables.
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createHandler, loadConfig } from '@image-sanitizer/lambda';

const config = loadConfig({
  INPUT_BUCKET: 'photo-uploads-raw',
  OUTPUT_BUCKET: 'photo-uploads-clean', // refused at start-up if it equals INPUT_BUCKET
  MAX_OBJECT_BYTES: String(25 * 1024 * 1024),
  KEEP_COLOR_PROFILE: 'true',
  KEEP_ORIENTATION: 'true',
});
const logger = new Logger({ serviceName: 'photo-sanitizer' });

export const handler = createHandler({
  s3: new S3Client({ maxAttempts: 5 }),
  config,
  logger: {
    info: (message, attributes) => logger.info(message, attributes),
    warn: (message, attributes) => logger.warn(message, attributes),
    error: (message, attributes) => logger.error(message, attributes),
  },
  metrics: new Metrics({ namespace: 'ImageSanitizer', serviceName: 'photo-sanitizer' }),
});
