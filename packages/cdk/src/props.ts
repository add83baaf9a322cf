import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** Settings for a bucket that the pipeline creates. */
export interface PipelineBucketSettings {
  /**
   * The bucket's globally unique name.
   * @default - a name derived from the construct path, the account and the region
   */
  readonly bucketName?: string;
  /**
   * How long a replaced or deleted object version is kept before it expires.
   * @default Duration.days(30)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * When an unfinished multipart upload is aborted.
   * @default Duration.days(7)
   */
  readonly abortIncompleteMultipartUploadAfter?: Duration;
}

/** Props of {@link ImageSanitizationPipeline}. Every one is optional. */
export interface ImageSanitizationPipelineProps {
  /**
   * An existing bucket to watch for uploads. Give this or `inputBucketProps`, never both.
   * The pipeline attaches its object-created notification to it but does not change its
   * encryption, versioning or policy.
   * @default - a new bucket is created from `inputBucketProps`
   */
  readonly existingInputBucket?: s3.IBucket;
  /**
   * Settings for the new input bucket.
   * @default - defaultBucketSettings()
   */
  readonly inputBucketProps?: PipelineBucketSettings;
  /**
   * An existing bucket that receives the sanitized copies. Give this or `outputBucketProps`, never both.
   * @default - a new bucket is created from `outputBucketProps`
   */
  readonly existingOutputBucket?: s3.IBucket;
  /**
   * Settings for the new output bucket.
   * @default - defaultBucketSettings()
   */
  readonly outputBucketProps?: PipelineBucketSettings;
  /**
   * IAM principal ARNs (users, roles or `arn:aws:iam::<account>:root`) allowed to assume
   * the uploader role (User A: put/get input objects, list the input bucket).
   * @default - principals of this account tagged `image-sanitizer-access` = `uploader` (and allowed sts:AssumeRole by their own policy)
   */
  readonly uploaderPrincipalArns?: readonly string[];
  /**
   * IAM principal ARNs allowed to assume the reader role (User B: get output objects, list the output bucket).
   * @default - principals of this account tagged `image-sanitizer-access` = `reader`
   */
  readonly readerPrincipalArns?: readonly string[];
  /**
   * Memory of the sanitizer function, in MiB (128–10240).
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Timeout of the sanitizer function (1 s–15 min). The queue's visibility timeout is six times this.
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * Largest object, in bytes, of a format the core holds whole (WebP, HEIC/AVIF, TIFF); larger ones
   * are rejected. JPEG, PNG and GIF stream and are bounded by `timeout` only. At most
   * `(memorySize - 160 MiB) / 3.5`, the memory `npm run bench` measures for a buffered format.
   * @default 52428800 (50 MiB)
   */
  readonly maxObjectBytes?: number;
  /**
   * Keep the ICC colour profile.
   * @default true
   */
  readonly keepColorProfile?: boolean;
  /**
   * Keep the EXIF orientation (as a fresh, orientation-only EXIF block).
   * @default true
   */
  readonly keepOrientation?: boolean;
  /**
   * E-mail address subscribed to the alarm topic (the address must confirm the subscription).
   * @default - no subscription; subscribe to the topic yourself
   */
  readonly alarmEmail?: string;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the buckets, the log group and the KMS keys when they leave the stack.
   * (CloudFormation never deletes a bucket that still holds objects.)
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Encrypt the new buckets, the queues and the alarm topic with a customer-managed KMS key
   * (with rotation and S3 bucket keys) instead of S3- and SQS-managed keys.
   * @default false
   */
  readonly enableKms?: boolean;
  /**
   * Messages a failing upload may be received before it moves to the dead-letter queue (1–1000).
   * @default 3
   */
  readonly maxReceiveCount?: number;
  /**
   * Largest number of concurrent function invocations the queue may drive (2–1000).
   * @default 10
   */
  readonly maxConcurrency?: number;
  /**
   * Messages per invocation (1–10).
   * @default 5
   */
  readonly batchSize?: number;
  /**
   * Powertools service name: the `service` dimension of the function's metrics.
   * @default 'image-sanitizer'
   */
  readonly serviceName?: string;
  /**
   * X-Ray active tracing on the function (Powertools Tracer: a subsegment per object with its
   * outcome as an annotation; object keys are never written to traces, only a hash).
   * @default true
   */
  readonly tracing?: boolean;
  /**
   * A CloudWatch dashboard of the pipeline (objects, bytes, durations, queues, errors, alarms).
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * Scan uploads with GuardDuty Malware Protection for S3 and sanitize only objects it found
   * clean (`NO_THREATS_FOUND`): its scan-result events drive the queue instead of the bucket's
   * object-created notification. Objects with threats, or that could not be scanned, stay
   * tagged by GuardDuty in the input bucket and are never published. GuardDuty charges per GB
   * scanned and per object evaluated (see the README).
   * @default false
   */
  readonly malwareProtection?: boolean;
  /**
   * Deliver a daily S3 Inventory of the new input bucket (current versions, CSV) to the backfill
   * reports bucket, as manifests for `npm run backfill -- --inventory`. Needs a new input bucket:
   * CloudFormation cannot add an inventory to an existing one.
   * @default false - backfills use a manifest generated when the job is created
   */
  readonly backfillInventory?: boolean;
  /**
   * The function's code.
   * @default - lambda.Code.fromAsset() of the prebuilt bundle this package carries (`dist/lambda`, built from `@image-sanitizer/lambda`)
   */
  readonly code?: lambda.Code;
}
