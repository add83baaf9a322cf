import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { loadConfig, type PipelineConfig } from './config.js';
import { ConfigError } from './errors.js';
import { createHandler, type SanitizerHandler } from './handler.js';

const SERVICE_NAME = 'image-sanitizer';
const METRICS_NAMESPACE = 'ImageSanitizer';

/**
 * The deployed handler's wiring: configuration from the environment
 * (validated now, so a bad deployment fails at init with the list of
 * problems), Powertools Logger and Metrics, the default S3 client.
 */
export function createHandlerFromEnv(env: NodeJS.ProcessEnv = process.env): SanitizerHandler {
  const serviceName = env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME;
  const logger = new Logger({ serviceName });
  let config: PipelineConfig;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) logger.error('refusing to start: invalid configuration', { problems: error.problems });
    throw error;
  }
  const metrics = new Metrics({ namespace: env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE, serviceName });
  return createHandler({ s3: new S3Client({}), config, logger, metrics });
}
