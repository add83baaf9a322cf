/*
 * The settings contract between the function and whatever deploys it: the environment it reads,
 * the defaults and limits it applies, the metrics it emits and the bucket names it accepts.
 * Published as `@image-sanitizer/lambda/contract`; it imports nothing (no SDK, no Node built-in),
 * so a CDK app or any other deployer can read it without the function's runtime dependencies.
 */

/** The environment variables the function reads at cold start. */
export const ENV = {
  /** Where sanitized images are written, under the same key. Required. */
  outputBucket: 'OUTPUT_BUCKET',
  /** Events from any other bucket are ignored. Unset: any bucket but the output bucket. */
  inputBucket: 'INPUT_BUCKET',
  /** Objects of a buffered format (WebP, HEIC/AVIF, TIFF) above this many bytes are rejected (`OBJECT_TOO_LARGE`); JPEG, PNG and GIF stream. */
  maxObjectBytes: 'MAX_OBJECT_BYTES',
  /** `true` / `false`: keep the ICC profile. */
  keepColorProfile: 'KEEP_COLOR_PROFILE',
  /** `true` / `false`: keep the EXIF orientation as a fresh, orientation-only EXIF block. */
  keepOrientation: 'KEEP_ORIENTATION',
  /** Powertools service name: `service` in the logs and the metrics' one dimension. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** Powertools metrics namespace. */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** `true` / `false`: Powertools Tracer records X-Ray subsegments (the function's tracing must be active too). */
  traceEnabled: 'POWERTOOLS_TRACE_ENABLED',
  /**
   * `true`: publish only objects GuardDuty Malware Protection tagged `GuardDutyMalwareScanStatus`
   * = `NO_THREATS_FOUND`; anything else is left in place untouched. Unset: no such check.
   */
  requireMalwareScan: 'REQUIRE_MALWARE_SCAN',
} as const;

/** 50 MiB: larger than any photo a phone takes; a buffered format of this size fits a 512 MB function (README, "Memory per format"). */
export const DEFAULT_MAX_OBJECT_BYTES = 50 * 1024 * 1024;
/** 1 GiB: the most any deployment may set (the core itself holds at most MAX_BUFFERED_BYTES, 256 MiB, of a buffered format). */
export const MAX_OBJECT_BYTES_LIMIT = 1024 * 1024 * 1024;
/** Keep the ICC profile unless told otherwise. */
export const DEFAULT_KEEP_COLOR_PROFILE = true;
/** Keep a non-1 orientation unless told otherwise. */
export const DEFAULT_KEEP_ORIENTATION = true;
/** Default `POWERTOOLS_SERVICE_NAME`, and so the default `service` dimension. */
export const DEFAULT_SERVICE_NAME = 'image-sanitizer';
/** The object tag GuardDuty Malware Protection for S3 writes after each scan (see `requireMalwareScan`). */
export const MALWARE_SCAN_TAG = 'GuardDutyMalwareScanStatus';
/** The only scan result that lets an object be sanitized and published. */
export const NO_THREATS_FOUND = 'NO_THREATS_FOUND';
/** The EventBridge detail-type of a GuardDuty scan result (source `aws.guardduty`). */
export const SCAN_RESULT_DETAIL_TYPE = 'GuardDuty Malware Protection Object Scan Result';

/** Default `POWERTOOLS_METRICS_NAMESPACE`: the CloudWatch namespace of every metric below. */
export const METRICS_NAMESPACE = 'ImageSanitizer';

/**
 * Metric names, as they appear in CloudWatch. Each is published with exactly one dimension,
 * `service` (Powertools' default dimension), once per invocation.
 */
export const METRIC = {
  /** Count, 1 per object written to the output bucket. */
  sanitized: 'ObjectsSanitized',
  /** Count, 1 per object refused (tagged in place, never published). The `RejectedObjects` alarm watches it. */
  rejected: 'ObjectsRejected',
  /** Count, 1 per event skipped without touching an object. */
  ignored: 'ObjectsIgnored',
  /** Count, 1 per object that failed and is retried. */
  failed: 'ObjectsFailed',
  /** Count, 1 per removed input whose output was deleted. */
  deleted: 'ObjectsDeleted',
  /** Count, 1 per rejected re-upload whose older output was withdrawn (deleted). */
  withdrawn: 'ObjectsWithdrawn',
  /** Bytes read from the input bucket, per sanitized object. */
  bytesIn: 'BytesIn',
  /** Bytes written to the output bucket, per sanitized object. */
  bytesOut: 'BytesOut',
  /** Milliseconds spent on one object, whatever its outcome. */
  duration: 'ObjectDuration',
} as const;

/** One of {@link METRIC}'s names. */
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** What the bucket-name rule accepts, in words (for error messages). */
export const BUCKET_NAME_RULE =
  '3–63 characters: lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, no "..", not an IP address';

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (the rules every region shares)
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d+\.\d+\.\d+\.\d+$/;

/** Whether `name` is a valid S3 bucket name ({@link BUCKET_NAME_RULE}). */
export function isValidBucketName(name: string): boolean {
  return BUCKET_NAME.test(name) && !name.includes('..') && !IP_ADDRESS.test(name);
}
