import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isConditionConflict, publishedOutput, whenInOrder, type SourceIdentity } from './ordering.js';
import { isNotFound } from './s3.js';

/*
 * Outputs follow their inputs: when the input under a key is rejected or deleted, the output
 * published for an earlier upload of that key is deleted too. The output bucket is versioned, so
 * a deleted output stays recoverable as a non-current version; nothing is lost.
 */

/**
 * After a rejection: delete the output of the same key, made from an older upload, so that a
 * rejected re-upload leaves nothing stale published. An output newer than the rejected input
 * stays (see `whenInOrder`). True when an output was withdrawn.
 */
export async function withdrawOutput(s3: S3Client, outputBucket: string, source: SourceIdentity): Promise<boolean> {
  const withdrawn = await whenInOrder(s3, outputBucket, source, async ({ published, condition }) => {
    if (published === undefined) return false;
    await s3.send(new DeleteObjectCommand({ Bucket: outputBucket, Key: source.key, ...(condition.IfMatch ? { IfMatch: condition.IfMatch } : {}) }));
    return true;
  });
  return withdrawn === true;
}

/** What a removal event led to. */
export type RemovalResult = 'deleted' | 'INPUT_EXISTS' | 'NOT_PUBLISHED';

/** Checks before one delete, at most (as in `whenInOrder`). */
const MAX_ATTEMPTS = 3;

/**
 * After a removal event: when the input has no current version any more, delete its output.
 * When the input exists (the removal was of a non-current version, or a newer upload came after
 * the delete), the output stays: the newer upload's own event decides about it.
 */
export async function deleteOutputOfRemoved(s3: S3Client, inputBucket: string, outputBucket: string, key: string): Promise<RemovalResult> {
  for (let attempt = 1; ; attempt++) {
    if (await exists(s3, inputBucket, key)) return 'INPUT_EXISTS';
    const published = await publishedOutput(s3, outputBucket, key);
    if (published === undefined) return 'NOT_PUBLISHED';
    try {
      await s3.send(new DeleteObjectCommand({ Bucket: outputBucket, Key: key, IfMatch: published.eTag }));
      return 'deleted';
    } catch (error) {
      if (!isConditionConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
