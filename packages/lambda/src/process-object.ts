import type { S3Client } from '@aws-sdk/client-s3';
import { isSanitizeError } from '@image-sanitizer/core';
import type { ImageFormat, MetadataItem, MetadataKind } from '@image-sanitizer/core';
import type { PipelineConfig } from './config.js';
import { ObjectTooLargeError } from './errors.js';
import type { ObjectRef } from './events.js';
import type { ObjectOutcome, RejectionReason } from './outcome.js';
import { assertStillInOrder, SupersededError, whenInOrder, type SourceIdentity } from './ordering.js';
import { MALWARE_SCAN_TAG, NO_THREATS_FOUND } from './contract.js';
import { addTags, isNotFound, objectTag, openObject, type ObjectSource } from './s3.js';
import { streamObject, type StreamedObject, type StreamReport } from './stream-object.js';
import { NO_TRACING, type PipelineTracer } from './tracing.js';
import { deleteOutputOfRemoved, withdrawOutput } from './withdraw.js';

// The outcome types live in ./outcome.ts (metrics.ts needs them without this module).
export type { ObjectOutcome, RejectionReason, IgnoreReason } from './outcome.js';

/** Tags set on a rejected input object. */
export const OUTCOME_TAG = 'sanitizer-outcome';
export const REASON_TAG = 'sanitizer-reason';

/**
 * User metadata (`x-amz-meta-*`) written on output objects; nothing else is.
 * `removed` and `kept` are only known once the whole stream is sanitized, so
 * they are written on outputs that fit one PutObject and omitted on multipart
 * outputs, whose metadata is fixed when the upload starts (README, "Streaming").
 */
export const OUTPUT_METADATA = {
  fromETag: 'sanitized-from-etag',
  fromVersionId: 'sanitized-from-version-id',
  format: 'sanitized-format',
  removed: 'sanitized-removed',
  kept: 'sanitized-kept',
} as const;

export interface ProcessDeps {
  readonly s3: S3Client;
  readonly config: PipelineConfig;
  /**
   * Subsegments `read` (GetObject until its body starts) and `stream` (the body through the
   * sanitizer into the output: reading, sanitizing and writing overlap there, and each S3
   * request shows as its own subsegment through the captured client). Default: none.
   */
  readonly tracer?: PipelineTracer;
}

/**
 * Sanitize one object into the output bucket, fail closed: an object the core
 * cannot sanitize is never written; it is tagged in place and reported as
 * `rejected`. S3 errors (throttling, 5xx, network) are thrown, for a retry.
 */
export async function processObject(deps: ProcessDeps, ref: ObjectRef): Promise<ObjectOutcome> {
  const { s3, config } = deps;
  const tracer = deps.tracer ?? NO_TRACING;
  if (ref.bucket === config.outputBucket) return { outcome: 'ignored', reason: 'OUTPUT_BUCKET' };
  if (config.inputBucket !== undefined && ref.bucket !== config.inputBucket) return { outcome: 'ignored', reason: 'FOREIGN_BUCKET' };
  if (ref.removed) {
    const removal = await deleteOutputOfRemoved(s3, ref.bucket, config.outputBucket, ref.key);
    return removal === 'deleted' ? { outcome: 'deleted' } : { outcome: 'ignored', reason: removal };
  }

  let source: ObjectSource;
  try {
    source = await tracer.span('read', () => openObject(s3, ref));
  } catch (error) {
    if (isNotFound(error)) return { outcome: 'ignored', reason: 'NOT_FOUND' };
    throw error;
  }

  if (source.contentLength === 0 && ref.key.endsWith('/')) {
    source.destroy();
    return { outcome: 'ignored', reason: 'FOLDER_MARKER' };
  }
  if (config.requireMalwareScan && !(await scannedClean(s3, ref, source))) {
    source.destroy();
    return { outcome: 'ignored', reason: 'NOT_SCANNED_CLEAN' };
  }

  const from = {
    ...(source.eTag ? { [OUTPUT_METADATA.fromETag]: source.eTag } : {}),
    ...(source.versionId ? { [OUTPUT_METADATA.fromVersionId]: source.versionId } : {}),
  };
  const identity = sourceIdentity(ref, source);
  const limits = { maxBufferedBytes: config.maxObjectBytes, sanitize: { keepColorProfile: config.keepColorProfile, keepOrientation: config.keepOrientation } };
  let streamed: StreamedObject | 'superseded';
  let body = source;
  let attempts = 0;
  try {
    // A conditional write that S3 refused runs again after the checks: the body is then read anew.
    streamed = await whenInOrder(s3, config.outputBucket, identity, async ({ condition, metadata, published }) => {
      if (attempts++ > 0) body = await openObject(s3, ref);
      const target = {
        bucket: config.outputBucket,
        key: ref.key,
        condition,
        metadata: (format: ImageFormat) => ({ ...from, ...metadata, [OUTPUT_METADATA.format]: format }),
        reportMetadata: (report: StreamReport) => ({
          [OUTPUT_METADATA.removed]: kinds(report.removed).join(',') || 'none',
          [OUTPUT_METADATA.kept]: kinds(report.kept).join(',') || 'none',
        }),
        // Streaming takes time: look again just before the output becomes visible.
        beforeCommit: () => assertStillInOrder(s3, config.outputBucket, identity, published),
      };
      return tracer.span('stream', () => streamObject(s3, body, target, limits));
    });
  } catch (error) {
    if (error instanceof SupersededError) return { outcome: 'ignored', reason: 'SUPERSEDED' };
    const read = { ...ref, ...(source.versionId ? { versionId: source.versionId } : {}), ...(source.eTag ? { eTag: source.eTag } : {}) };
    const bytesIn = source.contentLength === undefined ? {} : { bytesIn: source.contentLength };
    if (error instanceof ObjectTooLargeError) return reject(deps, read, 'OBJECT_TOO_LARGE', bytesIn);
    if (!isSanitizeError(error)) throw error;
    return reject(deps, read, error.code, { ...(error.format ? { format: error.format } : {}), ...bytesIn });
  }
  if (streamed === 'superseded') {
    body.destroy();
    return { outcome: 'ignored', reason: 'SUPERSEDED' };
  }

  const removed = kinds(streamed.removed);
  const kept = kinds(streamed.kept);
  return { outcome: 'sanitized', format: streamed.format, bytesIn: streamed.bytesIn, bytesOut: streamed.bytesOut, removed, kept };
}

async function reject(
  deps: ProcessDeps,
  ref: ObjectRef,
  reason: RejectionReason,
  details: { format?: ImageFormat; bytesIn?: number } = {},
): Promise<ObjectOutcome> {
  try {
    await addTags(deps.s3, ref, { [OUTCOME_TAG]: 'rejected', [REASON_TAG]: reason });
  } catch (error) {
    if (isNotFound(error)) return { outcome: 'ignored', reason: 'NOT_FOUND' };
    throw error;
  }
  const withdrawn = await withdrawOutput(deps.s3, deps.config.outputBucket, sourceIdentity(ref, ref));
  return { outcome: 'rejected', reason, ...details, ...(withdrawn ? { withdrawn } : {}) };
}

/** The input as read, for the ordering checks: its key, version and the event's sequencer. */
function sourceIdentity(ref: ObjectRef, read: { eTag?: string; versionId?: string }): SourceIdentity {
  return {
    bucket: ref.bucket,
    key: ref.key,
    ...(read.eTag ? { eTag: read.eTag } : {}),
    ...(read.versionId ? { versionId: read.versionId } : {}),
    ...(ref.sequencer ? { sequencer: ref.sequencer } : {}),
  };
}

/**
 * The malware gate's second look: the version just read carries GuardDuty's `NO_THREATS_FOUND`
 * tag. Its scan-result event already said so; the tag holds for the version actually read,
 * even when a newer upload replaced the object since the scan.
 */
async function scannedClean(s3: S3Client, ref: ObjectRef, source: ObjectSource): Promise<boolean> {
  const version = source.versionId ?? ref.versionId;
  const status = await objectTag(s3, { bucket: ref.bucket, key: ref.key, ...(version ? { versionId: version } : {}) }, MALWARE_SCAN_TAG);
  return status === NO_THREATS_FOUND;
}

/** The distinct kinds, in order of first appearance. */
function kinds(items: readonly MetadataItem[]): MetadataKind[] {
  return [...new Set(items.map((item) => item.kind))];
}
