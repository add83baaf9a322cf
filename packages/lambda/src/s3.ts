import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  PutObjectTaggingCommand,
  type S3Client,
  type Tag,
} from '@aws-sdk/client-s3';
import type { ObjectRef } from './events.js';

/** An input object being read: its body, its announced length, and what identifies the version. */
export interface ObjectSource {
  /** The body as S3 sends it; iterate once. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Content-Length as announced; undefined when the response did not say. */
  readonly contentLength?: number;
  readonly eTag?: string;
  readonly versionId?: string;
  /** Stop reading and release the connection (on refusal or failure). */
  destroy(): void;
}

/**
 * Open the current version of an object for reading. The current version, not
 * the event's: a late or redelivered event then still leaves the output
 * matching the newest upload. Nothing is read yet beyond the headers.
 */
export async function openObject(client: S3Client, ref: ObjectRef): Promise<ObjectSource> {
  const response = await client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  const body = response.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
  if (body === undefined) throw new Error('GetObject returned no body');
  return {
    body,
    ...(response.ContentLength === undefined ? {} : { contentLength: response.ContentLength }),
    ...(response.ETag ? { eTag: unquote(response.ETag) } : {}),
    ...(response.VersionId ? { versionId: response.VersionId } : {}),
    destroy: () => body.destroy?.(),
  };
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
  const theirs = (current.TagSet ?? []).filter((tag) => tag.Key === undefined || !Object.hasOwn(tags, tag.Key));
  const TagSet = [...theirs.slice(Math.max(0, theirs.length + ours.length - MAX_TAGS)), ...ours];
  await client.send(new PutObjectTaggingCommand({ Bucket: ref.bucket, Key: ref.key, ...version, Tagging: { TagSet } }));
}

/** The value of one tag of an object version, or undefined when it has none. */
export async function objectTag(client: S3Client, ref: { bucket: string; key: string; versionId?: string }, name: string): Promise<string | undefined> {
  const version = ref.versionId ? { VersionId: ref.versionId } : {};
  const current = await client.send(new GetObjectTaggingCommand({ Bucket: ref.bucket, Key: ref.key, ...version }));
  return current.TagSet?.find((tag) => tag.Key === name)?.Value;
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
