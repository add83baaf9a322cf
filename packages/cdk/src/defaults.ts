import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as contract from '@image-sanitizer/lambda/contract';
import type { ImageSanitizationPipelineProps, PipelineBucketSettings } from './props.js';

// The function's settings contract (environment, defaults, metric names) is
// `@image-sanitizer/lambda/contract`, bundled into this package's build: the values below are
// copied from it at build time, so the declarations need nothing from the lambda package.
const { ENV } = contract;
/** CloudWatch namespace of the function's EMF metrics (POWERTOOLS_METRICS_NAMESPACE). */
export const METRICS_NAMESPACE = contract.METRICS_NAMESPACE;
/** Metric the function emits, with dimension `service`, for every object it refuses to sanitize. */
export const REJECTED_METRIC_NAME = contract.METRIC.rejected;
/** Default POWERTOOLS_SERVICE_NAME, and so the default `service` dimension. */
export const DEFAULT_SERVICE_NAME = contract.DEFAULT_SERVICE_NAME;
/** The queue's visibility timeout is this many times the function timeout (AWS's advice for SQS event sources). */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** How long messages that failed `maxReceiveCount` times wait in the dead-letter queue (the SQS maximum). */
export const DEAD_LETTER_RETENTION = Duration.days(14);
/** How long events wait in the upload queue before SQS drops them (the SQS maximum). */
export const UPLOAD_QUEUE_RETENTION = Duration.days(14);
/** How long server access logs are kept. */
export const ACCESS_LOG_RETENTION = Duration.days(365);
/** The age of the oldest queued message that raises the backlog alarm. */
export const OLDEST_MESSAGE_ALARM_AGE = Duration.minutes(15);

/** Every pipeline prop that has a default value, resolved. */
export interface ResolvedPipelineSettings {
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly maxObjectBytes: number;
  readonly keepColorProfile: boolean;
  readonly keepOrientation: boolean;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly enableKms: boolean;
  readonly maxReceiveCount: number;
  readonly maxConcurrency: number;
  readonly batchSize: number;
  readonly serviceName: string;
  readonly tracing: boolean;
  readonly dashboard: boolean;
  readonly malwareProtection: boolean;
}

/** The props' defaults, in one place; the JSDoc `@default` of each prop repeats them. */
export function defaultPipelineSettings(): ResolvedPipelineSettings {
  return {
    memorySize: 512, // measured enough: README, "Memory per format"
    timeout: Duration.seconds(60),
    maxObjectBytes: contract.DEFAULT_MAX_OBJECT_BYTES,
    keepColorProfile: contract.DEFAULT_KEEP_COLOR_PROFILE,
    keepOrientation: contract.DEFAULT_KEEP_ORIENTATION,
    logRetention: logs.RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.RETAIN,
    enableKms: false,
    maxReceiveCount: 3,
    maxConcurrency: 10,
    batchSize: 5,
    serviceName: DEFAULT_SERVICE_NAME,
    tracing: true,
    dashboard: true,
    malwareProtection: false,
  };
}

/** `props` with every missing value taken from {@link defaultPipelineSettings}. */
export function resolvePipelineSettings(props: ImageSanitizationPipelineProps): ResolvedPipelineSettings {
  const defaults = defaultPipelineSettings();
  return {
    memorySize: props.memorySize ?? defaults.memorySize,
    timeout: props.timeout ?? defaults.timeout,
    maxObjectBytes: props.maxObjectBytes ?? defaults.maxObjectBytes,
    keepColorProfile: props.keepColorProfile ?? defaults.keepColorProfile,
    keepOrientation: props.keepOrientation ?? defaults.keepOrientation,
    logRetention: props.logRetention ?? defaults.logRetention,
    removalPolicy: props.removalPolicy ?? defaults.removalPolicy,
    enableKms: props.enableKms ?? defaults.enableKms,
    maxReceiveCount: props.maxReceiveCount ?? defaults.maxReceiveCount,
    maxConcurrency: props.maxConcurrency ?? defaults.maxConcurrency,
    batchSize: props.batchSize ?? defaults.batchSize,
    serviceName: props.serviceName ?? defaults.serviceName,
    tracing: props.tracing ?? defaults.tracing,
    dashboard: props.dashboard ?? defaults.dashboard,
    malwareProtection: props.malwareProtection ?? defaults.malwareProtection,
  };
}

/** Lifecycle defaults of a new data bucket. */
export function defaultBucketSettings(): Required<Omit<PipelineBucketSettings, 'bucketName'>> {
  return {
    noncurrentVersionExpiration: Duration.days(30),
    abortIncompleteMultipartUploadAfter: Duration.days(7),
  };
}

/**
 * Props of a new input or output bucket: private, encrypted, versioned, TLS only, ACLs disabled,
 * old versions and abandoned multipart uploads cleaned up. Server access logging is added by the caller.
 */
export function defaultDataBucketProps(
  bucketName: string,
  settings: PipelineBucketSettings | undefined,
  encryptionKey: kms.IKey | undefined,
  removalPolicy: RemovalPolicy,
): s3.BucketProps {
  const lifecycle = { ...defaultBucketSettings(), ...withoutUndefined(settings ?? {}) };
  return {
    bucketName,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    ...(encryptionKey
      ? { encryption: s3.BucketEncryption.KMS, encryptionKey, bucketKeyEnabled: true }
      : { encryption: s3.BucketEncryption.S3_MANAGED }),
    lifecycleRules: [
      {
        id: 'expire-noncurrent-versions-and-abandoned-uploads',
        noncurrentVersionExpiration: lifecycle.noncurrentVersionExpiration,
        abortIncompleteMultipartUploadAfter: lifecycle.abortIncompleteMultipartUploadAfter,
      },
    ],
    removalPolicy,
  };
}

/**
 * Props of the bucket that receives the server access logs. S3 delivers access logs only to
 * SSE-S3 buckets, so this one never uses KMS.
 */
export function defaultAccessLogBucketProps(removalPolicy: RemovalPolicy): s3.BucketProps {
  return {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    encryption: s3.BucketEncryption.S3_MANAGED,
    lifecycleRules: [{ id: 'expire-access-logs', expiration: ACCESS_LOG_RETENTION }],
    removalPolicy,
  };
}

function queueEncryption(encryptionKey: kms.IKey | undefined): Pick<sqs.QueueProps, 'encryption' | 'encryptionMasterKey'> {
  return encryptionKey
    ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: encryptionKey }
    : { encryption: sqs.QueueEncryption.SQS_MANAGED };
}

/** The dead-letter queue: encrypted, TLS only, 14 days of retention. */
export function defaultDeadLetterQueueProps(encryptionKey: kms.IKey | undefined): sqs.QueueProps {
  return { ...queueEncryption(encryptionKey), enforceSSL: true, retentionPeriod: DEAD_LETTER_RETENTION };
}

/** The upload queue: encrypted, TLS only, visibility ≥ 6 × the function timeout, failures to `deadLetterQueue`. */
export function defaultUploadQueueProps(
  encryptionKey: kms.IKey | undefined,
  functionTimeout: Duration,
  deadLetterQueue: sqs.IQueue,
  maxReceiveCount: number,
): sqs.QueueProps {
  return {
    ...queueEncryption(encryptionKey),
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(functionTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
    // The SQS maximum: an outage of the function shorter than this loses no backlog.
    retentionPeriod: UPLOAD_QUEUE_RETENTION,
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount },
  };
}

/** The environment the sanitizer function reads its configuration from. */
export function defaultFunctionEnvironment(
  inputBucketName: string,
  outputBucketName: string,
  settings: ResolvedPipelineSettings,
): Record<string, string> {
  return {
    [ENV.inputBucket]: inputBucketName,
    [ENV.outputBucket]: outputBucketName,
    [ENV.maxObjectBytes]: String(settings.maxObjectBytes),
    [ENV.keepColorProfile]: String(settings.keepColorProfile),
    [ENV.keepOrientation]: String(settings.keepOrientation),
    [ENV.serviceName]: settings.serviceName,
    [ENV.metricsNamespace]: METRICS_NAMESPACE,
    [ENV.traceEnabled]: String(settings.tracing),
    ...(settings.malwareProtection ? { [ENV.requireMalwareScan]: 'true' } : {}),
  };
}

/**
 * The sanitizer function: arm64, Node.js 24, its own log group and role. Recursive loop
 * detection is left at its default (terminate), so an output written back to the input stops.
 */
export function defaultFunctionProps(
  code: lambda.Code,
  role: lambda.FunctionProps['role'],
  logGroup: logs.ILogGroup,
  environment: Record<string, string>,
  settings: ResolvedPipelineSettings,
): lambda.FunctionProps {
  return {
    description: 'Removes metadata from uploaded images and writes the sanitized copy to the output bucket',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code,
    role,
    logGroup,
    memorySize: settings.memorySize,
    timeout: settings.timeout,
    environment,
    tracing: settings.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
  };
}

/** The function's own log group, so its retention and removal are part of the stack. */
export function defaultLogGroupProps(settings: ResolvedPipelineSettings): logs.LogGroupProps {
  return { retention: settings.logRetention, removalPolicy: settings.removalPolicy };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
