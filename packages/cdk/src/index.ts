export { ImageSanitizationPipeline } from './pipeline.js';
export type { ImageSanitizationPipelineProps, PipelineBucketSettings } from './props.js';
export { ImageSanitizerStack, type ImageSanitizerStackProps } from './stack.js';
export {
  ACCESS_LOG_RETENTION,
  DEAD_LETTER_RETENTION,
  DEFAULT_SERVICE_NAME,
  METRICS_NAMESPACE,
  OLDEST_MESSAGE_ALARM_AGE,
  REJECTED_METRIC_NAME,
  VISIBILITY_TIMEOUT_FACTOR,
  defaultAccessLogBucketProps,
  defaultBucketSettings,
  defaultDataBucketProps,
  defaultDeadLetterQueueProps,
  defaultFunctionEnvironment,
  defaultFunctionProps,
  defaultLogGroupProps,
  defaultPipelineSettings,
  defaultUploadQueueProps,
  resolvePipelineSettings,
  type ResolvedPipelineSettings,
} from './defaults.js';
export type { PipelineAlarms } from './alarms.js';
export { rejectedObjectsMetric } from './alarms.js';
export { findLambdaBundleDir, lambdaBundleCode, BUNDLE_ENTRY, BUNDLE_SUBDIR } from './bundle.js';
export { PipelineConfigError, type PipelineErrorCode } from './errors.js';
export { validatePipelineProps } from './validate.js';
export { environmentProps, stackNameFor, DEFAULT_ENVIRONMENT, DESIGN_BUCKET_PREFIX, type AppContext } from './environments.js';
