import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isNotFound, unquote } from './s3.js';

/*
 * Ordering: an older input never replaces (or withdraws) a newer output.
 *
 * Every output records the sequencer of the event it was made for (`sanitized-from-sequencer`).
 * Before an output is written or deleted:
 *   1. the output's recorded sequencer must be older than ours (S3 gives later events of one key
 *      greater sequencers), and
 *   2. the input must still be the version that was read (a newer upload has its own event), and
 *   3. the write is conditional on the output being the one just looked at (`If-Match` its ETag,
 *      or `If-None-Match: *` when there is none). S3 answers 412 (or 409) when another writer came
 *      in between; then the checks run again.
 * Where S3 honours the conditions (AWS), no older input can overwrite a newer output. Where it
 * does not (s3rver ignores them), 1 and 2 still hold, and only a writer that slips in between
 * the check and the write (milliseconds) can be overtaken; the newer event's own write repairs it.
 */

/** The user metadata on an output that names the sequencer of the event it was made for. */
export const SEQUENCER_METADATA = 'sanitized-from-sequencer';

/** Checks before one write or delete, at most: more conflicts than this are a retryable failure. */
const MAX_ATTEMPTS = 3;

/**
 * Order two S3 event sequencers: negative when `a` is older, 0 when equal, positive when newer.
 * Sequencers are hexadecimal strings of varying length; they compare as numbers, which for hex
 * digits is a string comparison after left-padding both to the same length.
 */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const left = a.toUpperCase().padStart(width, '0');
  const right = b.toUpperCase().padStart(width, '0');
  return left < right ? -1 : left > right ? 1 : 0;
}

/** What was read from the input, and for which event. */
export interface SourceIdentity {
  readonly bucket: string;
  readonly key: string;
  /** ETag of the input as read (unquoted). */
  readonly eTag?: string;
  /** Version id of the input as read (versioned buckets). */
  readonly versionId?: string;
  /** Sequencer of the event that asked for this object. */
  readonly sequencer?: string;
}

/** The output object now published under a key. */
export interface PublishedOutput {
  /** As S3 returned it, quoted: ready for `If-Match`. */
  readonly eTag: string;
  readonly sequencer?: string;
}

/** The go-ahead for one write or delete: the condition to send and the sequencer to record. */
export interface InOrder {
  /** The output found, undefined when there is none. */
  readonly published?: PublishedOutput;
  /** Conditional-request fields for PutObject / CompleteMultipartUpload / DeleteObject. */
  readonly condition: { readonly IfMatch?: string; readonly IfNoneMatch?: string };
  /**
   * User metadata the new output carries: the event's sequencer, or, for a request without one
   * (a backfill, a test event), the published output's, since the input was checked to be current.
   */
  readonly metadata: Record<string, string>;
}

/**
 * Run `act` (a write or a delete of the output of `source.key`) only when it is in order, as
 * described at the top of this file; `'superseded'` when a newer input or output exists. `act`
 * must send `condition`; when S3 refuses it, everything is checked again and `act` runs again.
 */
export async function whenInOrder<T>(
  s3: S3Client,
  outputBucket: string,
  source: SourceIdentity,
  act: (go: InOrder) => Promise<T>,
  attempts: number = MAX_ATTEMPTS,
): Promise<T | 'superseded'> {
  for (let attempt = 1; ; attempt++) {
    const published = await publishedOutput(s3, outputBucket, source.key);
    if (source.sequencer !== undefined && published?.sequencer !== undefined && compareSequencers(published.sequencer, source.sequencer) >= 0) {
      return 'superseded';
    }
    if (!(await stillCurrent(s3, source))) return 'superseded';
    const sequencer = source.sequencer ?? published?.sequencer;
    const go: InOrder = {
      ...(published ? { published } : {}),
      condition: published ? { IfMatch: published.eTag } : { IfNoneMatch: '*' },
      metadata: sequencer === undefined ? {} : { [SEQUENCER_METADATA]: sequencer },
    };
    try {
      return await act(go);
    } catch (error) {
      if (!isConditionConflict(error) || attempt >= attempts) throw error;
    }
  }
}

/** Thrown by {@link assertStillInOrder}: a newer input or output appeared while this one was being made. */
export class SupersededError extends Error {
  public constructor() {
    super('A newer input or output of this key appeared while the output was being made');
    this.name = 'SupersededError';
  }
}

/**
 * The check of {@link whenInOrder} once more, just before a long write becomes visible (the last
 * PutObject or CompleteMultipartUpload of a stream): the output must still be `published` (the
 * one the first check saw; none when it saw none) and the input still the version read.
 * Throws {@link SupersededError} otherwise. Where S3 honours the write's condition this only
 * saves an upload; where it does not (s3rver), it shrinks the race to the last request.
 */
export async function assertStillInOrder(s3: S3Client, outputBucket: string, source: SourceIdentity, published: PublishedOutput | undefined): Promise<void> {
  const now = await publishedOutput(s3, outputBucket, source.key);
  if (now?.eTag !== published?.eTag || !(await stillCurrent(s3, source))) throw new SupersededError();
}

/** The output under `key`, or undefined when there is none. */
export async function publishedOutput(s3: S3Client, bucket: string, key: string): Promise<PublishedOutput | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const sequencer = head.Metadata?.[SEQUENCER_METADATA];
    return { eTag: head.ETag ?? '*', ...(sequencer ? { sequencer } : {}) };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** True while the input's current version is still the one that was read (or nothing identifies it). */
async function stillCurrent(s3: S3Client, source: SourceIdentity): Promise<boolean> {
  if (source.eTag === undefined && source.versionId === undefined) return true;
  let head;
  try {
    head = await s3.send(new HeadObjectCommand({ Bucket: source.bucket, Key: source.key }));
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
  if (source.versionId !== undefined && head.VersionId !== undefined) return head.VersionId === source.versionId;
  return source.eTag === undefined || head.ETag === undefined || unquote(head.ETag) === source.eTag;
}

/** S3's answer to a conditional request whose condition no longer holds: 412, or 409 when two raced. */
export function isConditionConflict(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || $metadata?.httpStatusCode === 412 || $metadata?.httpStatusCode === 409;
}
