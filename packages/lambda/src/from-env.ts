import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { S3Client } from '@aws-sdk/client-s3';
import xray from 'aws-xray-sdk-core';
import { loadConfig, type PipelineConfig } from './config.js';
import { DEFAULT_SERVICE_NAME, ENV, METRICS_NAMESPACE } from './contract.js';
import { ConfigError } from './errors.js';
import { createHandler, type SanitizerHandler } from './handler.js';
import { S3_TRACE_WHITELIST, xrayTracer } from './tracing.js';

/**
 * The deployed handler's wiring: configuration from the environment
 * (validated now, so a bad deployment fails at init with the list of
 * problems), Powertools Logger, Metrics and Tracer (X-Ray; off when
 * POWERTOOLS_TRACE_ENABLED=false), the default S3 client, captured by the tracer (its requests
 * traced with their bucket, never their key: {@link S3_TRACE_WHITELIST}).
 */
export function createHandlerFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): SanitizerHandler {
  const serviceName = env[ENV.serviceName] ?? DEFAULT_SERVICE_NAME;
  const logger = new Logger({ serviceName });
  let config: PipelineConfig;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) logger.error('refusing to start: invalid configuration', { problems: error.problems });
    throw error;
  }
  const metrics = new Metrics({ namespace: env[ENV.metricsNamespace] ?? METRICS_NAMESPACE, serviceName });
  const tracer = new Tracer({ serviceName, captureHTTPsRequests: false });
  // Process-wide in the X-Ray SDK; the function is its only user.
  xray.setAWSWhitelist(S3_TRACE_WHITELIST);
  const s3 = tracer.captureAWSv3Client(new S3Client({}));
  return createHandler({ s3, config, logger, metrics, tracer: xrayTracer(tracer) });
}
