import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  type Tag,
} from '@aws-sdk/client-s3';
import { ObjectTooLargeError } from './errors.js';
import type { ObjectRef } from './events.js';

/** The bytes of an input object and what identifies the version that was read. */
export interface ObjectBody {
  readonly bytes: Uint8Array;
  readonly eTag?: string;
  readonly versionId?: string;
}

/**
 * Read the current version of an object, refusing anything over `maxBytes`:
 * first by the event's size, then by the response's Content-Length, then by
 * counting while streaming (a lying or missing length cannot make it read
 * more). The current version, not the event's: a late or redelivered event
 * then still leaves the output matching the newest upload.
 */
export async function readObject(client: S3Client, ref: ObjectRef, maxBytes: number): Promise<ObjectBody> {
  if (ref.size !== undefined && ref.size > maxBytes) throw new ObjectTooLargeError(maxBytes, ref.size);
  const response = await client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  const body = response.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
  if (body === undefined) throw new Error('GetObject returned no body');
  if (response.ContentLength !== undefined && response.ContentLength > maxBytes) {
    body.destroy?.();
    throw new ObjectTooLargeError(maxBytes, response.ContentLength);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > maxBytes) {
      body.destroy?.();
      throw new ObjectTooLargeError(maxBytes);
    }
    chunks.push(chunk);
  }
  return {
    bytes: Buffer.concat(chunks, total),
    ...(response.ETag ? { eTag: unquote(response.ETag) } : {}),
    ...(response.VersionId ? { versionId: response.VersionId } : {}),
  };
}

/** Write a sanitized image. Only the metadata given here is written: nothing of the source's. */
export async function writeObject(
  client: S3Client,
  target: {
    bucket: string;
    key: string;
    contentType: string;
    metadata: Record<string, string>;
    /** Write only if the output is still the one the ordering check saw (ordering.ts). */
    condition?: { readonly IfMatch?: string; readonly IfNoneMatch?: string };
  },
  bytes: Uint8Array,
): Promise<void> {
  await client.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: target.key,
      Body: bytes,
      ContentLength: bytes.length,
      ContentType: target.contentType,
      Metadata: target.metadata,
      ...target.condition,
    }),
  );
}

/** At most 10 tags per object (S3 limit). */
const MAX_TAGS = 10;

/**
 * Set tags on an object, keeping the tags it already has (PutObjectTagging
 * replaces the whole set). Our keys win; if the set would exceed S3's limit,
 * the oldest foreign tags make room.
 */
export async function addTags(
  client: S3Client,
  ref: { bucket: string; key: string; versionId?: string },
  tags: Record<string, string>,
): Promise<void> {
  const version = ref.versionId ? { VersionId: ref.versionId } : {};
  const current = await client.send(new GetObjectTaggingCommand({ Bucket: ref.bucket, Key: ref.key, ...version }));
  const ours: Tag[] = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  const theirs = (current.TagSet ?? []).filter((tag) => tag.Key === undefined || !(tag.Key in tags));
  const TagSet = [...theirs.slice(Math.max(0, theirs.length + ours.length - MAX_TAGS)), ...ours];
  await client.send(new PutObjectTaggingCommand({ Bucket: ref.bucket, Key: ref.key, ...version, Tagging: { TagSet } }));
}

/** True when S3 says the object (or the version) does not exist. */
export function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchVersion';
}

/** ETags arrive quoted from S3 and unquoted in events; store one form. */
export function unquote(eTag: string): string {
  return eTag.replace(/^"|"$/g, '');
}
