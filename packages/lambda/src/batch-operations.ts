import { GetObjectTaggingCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { PipelineConfig } from './config.js';
import { EventShapeError } from './errors.js';
import { decodeS3Key, type ObjectRef } from './events.js';
import type { PipelineLogger } from './logger.js';
import type { PipelineMetrics } from './metrics.js';
import type { ObjectOutcome } from './outcome.js';
import { OUTCOME_TAG, OUTPUT_METADATA, REASON_TAG } from './process-object.js';
import { isNotFound, unquote } from './s3.js';

/*
 * S3 Batch Operations `LambdaInvoke` (https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-invoke-lambda.html).
 *
 * Request, schema 1.0: { invocationSchemaVersion, invocationId, job: { id }, tasks: [{ taskId, s3Key, s3VersionId, s3BucketArn }] }
 * Request, schema 2.0: the same with job.userArguments (string map) and tasks[].s3Bucket (a name, not an ARN).
 * Response: { invocationSchemaVersion, treatMissingKeysAs, invocationId, results: [{ taskId, resultCode, resultString }] }
 *
 * Keys: AWS's own example function percent-decodes `s3Key` (Python `unquote`); Powertools for
 * Python decodes it as a form (`unquote_plus`: `+` is a space) and reports testing that against
 * the service. Manifests hold URL-encoded keys and S3 form-encodes keys (a literal `+` is `%2B`),
 * so both agree except on a bare `+`; we decode as S3 notifications are decoded (`decodeS3Key`).
 */

/** What Batch Operations does with a task's result. */
export type BatchResultCode = 'Succeeded' | 'TemporaryFailure' | 'PermanentFailure';

/** One task of an invocation, ready for the per-object path. */
export interface BatchTask {
  readonly taskId: string;
  /** Undefined when the task itself cannot be read (its result is then a permanent failure). */
  readonly ref?: ObjectRef;
  readonly problem?: string;
}

export interface BatchOperationsEvent {
  readonly invocationSchemaVersion: '1.0' | '2.0';
  readonly invocationId: string;
  readonly jobId: string;
  readonly userArguments: Readonly<Record<string, string>>;
  readonly tasks: readonly BatchTask[];
}

export interface BatchOperationsResult {
  readonly taskId: string;
  readonly resultCode: BatchResultCode;
  readonly resultString: string;
}

export interface BatchOperationsResponse {
  readonly invocationSchemaVersion: string;
  /** A task missing from `results` counts as failed, never as done. */
  readonly treatMissingKeysAs: 'PermanentFailure';
  readonly invocationId: string;
  readonly results: readonly BatchOperationsResult[];
}

/**
 * The `userArguments` the function understands (schema 2.0):
 * `force: "true"` sanitizes again even where the output is current (after a sanitizer upgrade).
 * Any other key is refused: a misspelt argument must not silently do something else.
 */
export const USER_ARGUMENTS = { force: 'force' } as const;

/** Metric counted for an object whose output was already current (nothing written). */
export const ALREADY_CURRENT_METRIC = 'ObjectsAlreadyCurrent';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** True for an S3 Batch Operations invocation (any schema version): it has `invocationSchemaVersion` and `tasks`. */
export function isBatchOperationsEvent(event: unknown): boolean {
  return isObject(event) && typeof event.invocationSchemaVersion === 'string' && Array.isArray(event.tasks);
}

/** Read an invocation. A malformed invocation throws; a malformed task becomes a task with a `problem`. */
export function parseBatchOperationsEvent(event: unknown): BatchOperationsEvent {
  if (!isObject(event)) throw new EventShapeError('Batch Operations event is not a JSON object');
  const version = event.invocationSchemaVersion;
  if (version !== '1.0' && version !== '2.0') {
    throw new EventShapeError(`Batch Operations invocationSchemaVersion must be "1.0" or "2.0", got ${JSON.stringify(version)}`);
  }
  if (typeof event.invocationId !== 'string' || event.invocationId === '') throw new EventShapeError('Batch Operations event without an invocationId');
  const job = isObject(event.job) ? event.job : {};
  if (typeof job.id !== 'string') throw new EventShapeError('Batch Operations event without a job id');
  const userArguments = version === '2.0' ? stringMap(job.userArguments) : {};
  if (!Array.isArray(event.tasks)) throw new EventShapeError('Batch Operations event without tasks');
  return {
    invocationSchemaVersion: version,
    invocationId: event.invocationId,
    jobId: job.id,
    userArguments,
    tasks: event.tasks.map((task) => readTask(task, version)),
  };
}

function stringMap(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new EventShapeError('Batch Operations job.userArguments is not an object');
  const entries = Object.entries(value);
  if (entries.some(([, v]) => typeof v !== 'string')) throw new EventShapeError('Batch Operations job.userArguments values must be strings');
  return Object.fromEntries(entries) as Record<string, string>;
}

function readTask(task: unknown, version: '1.0' | '2.0'): BatchTask {
  if (!isObject(task) || typeof task.taskId !== 'string') throw new EventShapeError('Batch Operations task without a taskId');
  const taskId = task.taskId;
  const bucket = version === '1.0' ? bucketFromArn(task.s3BucketArn) : task.s3Bucket;
  if (typeof bucket !== 'string' || bucket === '') return { taskId, problem: `task names no bucket (${version === '1.0' ? 's3BucketArn' : 's3Bucket'})` };
  if (typeof task.s3Key !== 'string' || task.s3Key === '') return { taskId, problem: 'task names no s3Key' };
  let key: string;
  try {
    key = decodeS3Key(task.s3Key);
  } catch (error) {
    return { taskId, problem: (error as Error).message };
  }
  const versionId = typeof task.s3VersionId === 'string' && task.s3VersionId !== '' ? task.s3VersionId : undefined;
  return { taskId, ref: { bucket, key, ...(versionId === undefined ? {} : { versionId }) } };
}

function isForbidden(error: unknown): boolean {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode === 403;
}

/** `arn:aws:s3:::name` → `name` (any partition). */
function bucketFromArn(arn: unknown): string | undefined {
  if (typeof arn !== 'string') return undefined;
  const match = /^arn:[\w-]+:s3:::([^/]+)$/.exec(arn);
  return match?.[1];
}

export interface BatchDeps {
  readonly s3: S3Client;
  readonly config: PipelineConfig;
  readonly logger: PipelineLogger;
  readonly metrics: PipelineMetrics;
}

/** What an earlier run left for the object's current version, if anything. */
export type PriorOutcome =
  | { readonly outcome: 'current'; readonly eTag: string }
  | { readonly outcome: 'rejected'; readonly reason: string };

/**
 * Answer one invocation: each task through `processOne` (the handler's per-object path, with its
 * log line and metrics), unless an earlier run already settled the object's current version.
 * Every task gets a result; a thrown error is a `TemporaryFailure`, which Batch Operations retries.
 */
export async function answerBatchOperations(
  deps: BatchDeps,
  raw: unknown,
  processOne: (ref: ObjectRef) => Promise<ObjectOutcome>,
): Promise<BatchOperationsResponse> {
  const event = parseBatchOperationsEvent(raw);
  const unknownArguments = Object.keys(event.userArguments).filter((name) => !Object.values(USER_ARGUMENTS).includes(name as never));
  const force = event.userArguments[USER_ARGUMENTS.force] === 'true';
  const results: BatchOperationsResult[] = [];
  for (const task of event.tasks) {
    if (unknownArguments.length > 0) {
      results.push(permanent(task.taskId, `EVENT_INVALID: unknown userArguments ${unknownArguments.join(', ')}`));
      continue;
    }
    if (task.ref === undefined) {
      deps.logger.error('Batch Operations task not understood', { jobId: event.jobId, taskId: task.taskId, problem: task.problem });
      results.push(permanent(task.taskId, `EVENT_INVALID: ${task.problem ?? 'unreadable task'}`));
      continue;
    }
    results.push(await answerTask(deps, task.taskId, task.ref, force, processOne));
  }
  return { invocationSchemaVersion: event.invocationSchemaVersion, treatMissingKeysAs: 'PermanentFailure', invocationId: event.invocationId, results };
}

async function answerTask(
  deps: BatchDeps,
  taskId: string,
  ref: ObjectRef,
  force: boolean,
  processOne: (ref: ObjectRef) => Promise<ObjectOutcome>,
): Promise<BatchOperationsResult> {
  try {
    if (!force && ref.bucket !== deps.config.outputBucket) {
      const prior = await priorOutcome(deps.s3, deps.config.outputBucket, ref);
      if (prior !== undefined) {
        deps.metrics.addMetric(ALREADY_CURRENT_METRIC, 'Count', 1);
        deps.logger.info('object already settled by an earlier run; nothing written', { bucket: ref.bucket, key: ref.key, outcome: prior.outcome, prior: true });
        return prior.outcome === 'current'
          ? { taskId, resultCode: 'Succeeded', resultString: `current: output already sanitized from ETag ${prior.eTag}` }
          : permanent(taskId, prior.reason);
      }
    }
    return fromOutcome(taskId, await processOne(ref));
  } catch (error) {
    return { taskId, resultCode: 'TemporaryFailure', resultString: errorSummary(error) };
  }
}

/** The result Batch Operations records for one outcome of the per-object path. */
export function fromOutcome(taskId: string, outcome: ObjectOutcome): BatchOperationsResult {
  switch (outcome.outcome) {
    case 'sanitized':
      return { taskId, resultCode: 'Succeeded', resultString: `sanitized ${outcome.format}; removed ${outcome.removed.join(',') || 'nothing'}` };
    case 'rejected':
      return permanent(taskId, outcome.reason);
    case 'deleted':
      return { taskId, resultCode: 'Succeeded', resultString: 'deleted: the input is gone, so is its output' };
    case 'ignored':
      // A folder marker has nothing to sanitize; a superseded object has a newer upload or output, which its own
      // event (or task) settles. Anything else ignored (gone, another bucket) was not sanitized.
      if (outcome.reason === 'FOLDER_MARKER' || outcome.reason === 'SUPERSEDED') return { taskId, resultCode: 'Succeeded', resultString: `ignored: ${outcome.reason}` };
      return permanent(taskId, outcome.reason);
  }
}

const permanent = (taskId: string, resultString: string): BatchOperationsResult => ({ taskId, resultCode: 'PermanentFailure', resultString });

/** Name and code of an error, never the object's content. */
function errorSummary(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 200);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return `${error.name}${status === undefined ? '' : ` (HTTP ${status})`}: ${error.message}`.slice(0, 500);
}

/**
 * Did an earlier run settle the current version of `ref`? `current` when the output records the
 * input's ETag (and version, where the bucket is versioned); `rejected` when the current input
 * version carries our rejection tag. Undefined otherwise, or when the input is gone (the
 * per-object path then reports it).
 */
export async function priorOutcome(s3: S3Client, outputBucket: string, ref: ObjectRef): Promise<PriorOutcome | undefined> {
  let input: { eTag?: string; versionId?: string };
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    input = { ...(head.ETag ? { eTag: unquote(head.ETag) } : {}), ...(head.VersionId ? { versionId: head.VersionId } : {}) };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  if (input.eTag === undefined) return undefined;
  try {
    const output = await s3.send(new HeadObjectCommand({ Bucket: outputBucket, Key: ref.key }));
    const metadata = output.Metadata ?? {};
    const sameETag = metadata[OUTPUT_METADATA.fromETag] === input.eTag;
    const sameVersion = input.versionId === undefined || metadata[OUTPUT_METADATA.fromVersionId] === input.versionId;
    if (sameETag && sameVersion) return { outcome: 'current', eTag: input.eTag };
  } catch (error) {
    // Without s3:ListBucket on the output bucket (the function has none), S3 answers a missing key with 403.
    if (!isNotFound(error) && !isForbidden(error)) throw error;
  }
  const version = input.versionId ? { VersionId: input.versionId } : {};
  const { TagSet = [] } = await s3.send(new GetObjectTaggingCommand({ Bucket: ref.bucket, Key: ref.key, ...version }));
  const tag = (name: string) => TagSet.find((t) => t.Key === name)?.Value;
  if (tag(OUTCOME_TAG) === 'rejected') return { outcome: 'rejected', reason: tag(REASON_TAG) ?? 'REJECTED' };
  return undefined;
}
