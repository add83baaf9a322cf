import type { S3Client } from '@aws-sdk/client-s3';
import { isSanitizeError, MIME_TYPES, sanitizeImage } from '@image-sanitizer/core';
import type { ImageFormat, MetadataItem, MetadataKind } from '@image-sanitizer/core';
import type { PipelineConfig } from './config.js';
import { ObjectTooLargeError } from './errors.js';
import type { ObjectRef } from './events.js';
import type { ObjectOutcome, RejectionReason } from './outcome.js';
import { whenInOrder, type SourceIdentity } from './ordering.js';
import { addTags, isNotFound, readObject, writeObject, type ObjectBody } from './s3.js';
import { deleteOutputOfRemoved, withdrawOutput } from './withdraw.js';

// The outcome types live in ./outcome.ts (metrics.ts needs them without this module).
export type { ObjectOutcome, RejectionReason, IgnoreReason } from './outcome.js';

/** Tags set on a rejected input object. */
export const OUTCOME_TAG = 'sanitizer-outcome';
export const REASON_TAG = 'sanitizer-reason';

/** User metadata (`x-amz-meta-*`) written on every output object; nothing else is. */
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
}

/**
 * Sanitize one object into the output bucket, fail closed: an object the core
 * cannot sanitize is never written; it is tagged in place and reported as
 * `rejected`. S3 errors (throttling, 5xx, network) are thrown, for a retry.
 */
export async function processObject(deps: ProcessDeps, ref: ObjectRef): Promise<ObjectOutcome> {
  const { s3, config } = deps;
  if (ref.bucket === config.outputBucket) return { outcome: 'ignored', reason: 'OUTPUT_BUCKET' };
  if (config.inputBucket !== undefined && ref.bucket !== config.inputBucket) return { outcome: 'ignored', reason: 'FOREIGN_BUCKET' };
  if (ref.removed) {
    const removal = await deleteOutputOfRemoved(s3, ref.bucket, config.outputBucket, ref.key);
    return removal === 'deleted' ? { outcome: 'deleted' } : { outcome: 'ignored', reason: removal };
  }

  let source: ObjectBody;
  try {
    source = await readObject(s3, ref, config.maxObjectBytes);
  } catch (error) {
    if (error instanceof ObjectTooLargeError) return reject(deps, ref, 'OBJECT_TOO_LARGE');
    if (isNotFound(error)) return { outcome: 'ignored', reason: 'NOT_FOUND' };
    throw error;
  }

  if (source.bytes.length === 0 && ref.key.endsWith('/')) return { outcome: 'ignored', reason: 'FOLDER_MARKER' };

  let result: ReturnType<typeof sanitizeImage>;
  try {
    result = sanitizeImage(source.bytes, { keepColorProfile: config.keepColorProfile, keepOrientation: config.keepOrientation });
  } catch (error) {
    if (!isSanitizeError(error)) throw error;
    return reject(deps, { ...ref, ...(source.versionId ? { versionId: source.versionId } : {}), ...(source.eTag ? { eTag: source.eTag } : {}) }, error.code, {
      ...(error.format ? { format: error.format } : {}),
      bytesIn: source.bytes.length,
    });
  }

  const removed = kinds(result.removed);
  const kept = kinds(result.kept);
  const written = await whenInOrder(s3, config.outputBucket, sourceIdentity(ref, source), ({ condition, metadata }) =>
    writeObject(
      s3,
      {
        bucket: config.outputBucket,
        key: ref.key,
        contentType: MIME_TYPES[result.format],
        metadata: {
          ...(source.eTag ? { [OUTPUT_METADATA.fromETag]: source.eTag } : {}),
          ...(source.versionId ? { [OUTPUT_METADATA.fromVersionId]: source.versionId } : {}),
          ...metadata,
          [OUTPUT_METADATA.format]: result.format,
          [OUTPUT_METADATA.removed]: removed.join(',') || 'none',
          [OUTPUT_METADATA.kept]: kept.join(',') || 'none',
        },
        condition,
      },
      result.bytes,
    ),
  );
  if (written === 'superseded') return { outcome: 'ignored', reason: 'SUPERSEDED' };
  return { outcome: 'sanitized', format: result.format, bytesIn: source.bytes.length, bytesOut: result.bytes.length, removed, kept };
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

/** The distinct kinds, in order of first appearance. */
function kinds(items: readonly MetadataItem[]): MetadataKind[] {
  return [...new Set(items.map((item) => item.kind))];
}
