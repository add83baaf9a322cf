import { BUCKET_NAME_RULE, isValidBucketName, MAX_OBJECT_BYTES_LIMIT } from '@image-sanitizer/lambda/contract';
import { Token, type Duration } from 'aws-cdk-lib';
import { defaultPipelineSettings } from './defaults.js';
import { PipelineConfigError } from './errors.js';
import type { ImageSanitizationPipelineProps, PipelineBucketSettings } from './props.js';

const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+)$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SERVICE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const MIB = 1024 * 1024;

/**
 * Checks every prop before anything is created and throws one {@link PipelineConfigError}
 * (code `INVALID_PROPS`) that lists every problem, each line starting with the prop's name.
 */
export function validatePipelineProps(props: ImageSanitizationPipelineProps): void {
  const problems = [
    ...exclusive(props, 'existingInputBucket', 'inputBucketProps'),
    ...exclusive(props, 'existingOutputBucket', 'outputBucketProps'),
    ...bucketSettingsProblems('inputBucketProps', props.inputBucketProps),
    ...bucketSettingsProblems('outputBucketProps', props.outputBucketProps),
    ...distinctBucketsProblems(props),
    ...principalProblems('uploaderPrincipalArns', props.uploaderPrincipalArns),
    ...principalProblems('readerPrincipalArns', props.readerPrincipalArns),
    ...integerProblems('memorySize', props.memorySize, 128, 10_240),
    ...durationProblems('timeout', props.timeout, 1, 900),
    ...objectSizeProblems(props),
    ...integerProblems('maxReceiveCount', props.maxReceiveCount, 1, 1000),
    ...integerProblems('maxConcurrency', props.maxConcurrency, 2, 1000),
    ...integerProblems('batchSize', props.batchSize, 1, 10),
    ...emailProblems(props.alarmEmail),
    ...serviceNameProblems(props.serviceName),
    ...(props.backfillInventory && props.existingInputBucket !== undefined
      ? ['backfillInventory: needs a new input bucket (CloudFormation cannot add an inventory to existingInputBucket); configure the inventory on that bucket yourself']
      : []),
  ];
  if (problems.length > 0) {
    throw new PipelineConfigError(
      'INVALID_PROPS',
      `Invalid ImageSanitizationPipeline props:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
      problems,
    );
  }
}

function exclusive(
  props: ImageSanitizationPipelineProps,
  existing: 'existingInputBucket' | 'existingOutputBucket',
  settings: 'inputBucketProps' | 'outputBucketProps',
): string[] {
  return props[existing] !== undefined && props[settings] !== undefined
    ? [`${existing}: give either ${existing} or ${settings}, not both`]
    : [];
}

function bucketSettingsProblems(name: string, settings: PipelineBucketSettings | undefined): string[] {
  if (settings === undefined) return [];
  const problems: string[] = [];
  const bucketName = settings.bucketName;
  if (bucketName !== undefined && !Token.isUnresolved(bucketName) && !isValidBucketName(bucketName)) {
    problems.push(
      `${name}.bucketName: "${bucketName}" is not a valid S3 bucket name (${BUCKET_NAME_RULE})`,
    );
  }
  problems.push(...durationProblems(`${name}.noncurrentVersionExpiration`, settings.noncurrentVersionExpiration, 86_400, Infinity));
  problems.push(
    ...durationProblems(`${name}.abortIncompleteMultipartUploadAfter`, settings.abortIncompleteMultipartUploadAfter, 86_400, Infinity),
  );
  return problems;
}

function distinctBucketsProblems(props: ImageSanitizationPipelineProps): string[] {
  const input = props.existingInputBucket?.bucketName ?? props.inputBucketProps?.bucketName;
  const output = props.existingOutputBucket?.bucketName ?? props.outputBucketProps?.bucketName;
  const same =
    (props.existingInputBucket !== undefined && props.existingInputBucket === props.existingOutputBucket) ||
    (input !== undefined && !Token.isUnresolved(input) && input === output);
  return same ? ['outputBucketProps: the output bucket must differ from the input bucket (writing back would loop)'] : [];
}

function principalProblems(name: string, arns: readonly string[] | undefined): string[] {
  if (arns === undefined) return [];
  if (arns.length === 0) return [`${name}: give at least one principal ARN, or leave it out to trust the account`];
  return arns
    .filter((arn) => !Token.isUnresolved(arn) && !PRINCIPAL_ARN.test(arn))
    .map((arn) => `${name}: "${arn}" is not an IAM user, role or account-root ARN`);
}

function integerProblems(name: string, value: number | undefined, min: number, max: number): string[] {
  if (value === undefined || Token.isUnresolved(value)) return [];
  return Number.isInteger(value) && value >= min && value <= max ? [] : [`${name}: must be an integer from ${min} to ${max}, got ${value}`];
}

function durationProblems(name: string, value: Duration | undefined, minSeconds: number, maxSeconds: number): string[] {
  if (value === undefined || value.isUnresolved()) return [];
  const seconds = value.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < minSeconds || seconds > maxSeconds) {
    const range = maxSeconds === Infinity ? `at least ${minSeconds} s` : `from ${minSeconds} s to ${maxSeconds} s`;
    return [`${name}: must be a whole number of seconds ${range}, got ${value.toHumanString()}`];
  }
  return [];
}

/**
 * Memory the function needs besides the object, in MiB: Node, the SDK and the handler at rest
 * (96 MiB of RSS) plus the S3 -> S3 streaming (under 50 MiB), as `npm run bench` measures them
 * (scripts/bench-handler.mjs; README, "Memory per format"), rounded up.
 */
export const HANDLER_BASE_MIB = 160;
/** Memory per byte of a buffered format (WebP, HEIC/AVIF, TIFF) while the core holds it: 2.0-3.4 measured, rounded up. */
export const BUFFERED_MEMORY_PER_BYTE = 3.5;

/** The largest `maxObjectBytes` a function of `memorySize` MiB holds: buffered formats are what the cap bounds. */
export function maxObjectBytesFor(memorySize: number): number {
  return Math.max(0, Math.floor(((memorySize - HANDLER_BASE_MIB) * MIB) / BUFFERED_MEMORY_PER_BYTE));
}

function objectSizeProblems(props: ImageSanitizationPipelineProps): string[] {
  const value = props.maxObjectBytes;
  if (value === undefined) return [];
  if (!Number.isSafeInteger(value) || value < 1) return [`maxObjectBytes: must be a positive integer, got ${value}`];
  if (value > MAX_OBJECT_BYTES_LIMIT) return [`maxObjectBytes: ${value} exceeds ${MAX_OBJECT_BYTES_LIMIT}, the most the function accepts (MAX_OBJECT_BYTES)`];
  const memorySize = props.memorySize ?? defaultPipelineSettings().memorySize;
  if (Number.isInteger(memorySize) && value > maxObjectBytesFor(memorySize)) {
    return [
      `maxObjectBytes: ${value} does not fit memorySize (${memorySize} MiB): a buffered format (WebP, HEIC/AVIF, TIFF) takes about ` +
        `${HANDLER_BASE_MIB} MiB + ${BUFFERED_MEMORY_PER_BYTE} x its size (measured by npm run bench); at most ${maxObjectBytesFor(memorySize)} fits`,
    ];
  }
  return [];
}

function emailProblems(email: string | undefined): string[] {
  if (email === undefined || Token.isUnresolved(email)) return [];
  return EMAIL.test(email) ? [] : [`alarmEmail: "${email}" is not an e-mail address`];
}

function serviceNameProblems(serviceName: string | undefined): string[] {
  if (serviceName === undefined) return [];
  return SERVICE_NAME.test(serviceName) ? [] : [`serviceName: "${serviceName}" must be 1–64 letters, digits, ".", "_" or "-"`];
}
