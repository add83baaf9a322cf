import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isNotFound } from '../../src/s3.js';

/** Thin S3 helpers for assertions; every call is a real request to s3rver. */
export function s3Helpers(s3: S3Client) {
  return {
    /** Upload; `tags` are set with PutObjectTagging (s3rver ignores tags sent with the upload). */
    async put(bucket: string, key: string, body: Uint8Array | string, extra: { metadata?: Record<string, string>; tags?: Record<string, string> } = {}) {
      const result = await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...(extra.metadata ? { Metadata: extra.metadata } : {}) }),
      );
      if (extra.tags) {
        const TagSet = Object.entries(extra.tags).map(([Key, Value]) => ({ Key, Value }));
        await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: key, Tagging: { TagSet } }));
      }
      return { eTag: (result.ETag ?? '').replace(/"/g, '') };
    },
    /** The object, or undefined when it does not exist. */
    async get(bucket: string, key: string) {
      try {
        const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return {
          bytes: Buffer.from(await result.Body!.transformToByteArray()),
          contentType: result.ContentType,
          metadata: result.Metadata ?? {},
          eTag: (result.ETag ?? '').replace(/"/g, ''),
        };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async exists(bucket: string, key: string): Promise<boolean> {
      try {
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    async tags(bucket: string, key: string): Promise<Record<string, string>> {
      const { TagSet = [] } = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
      return Object.fromEntries(TagSet.map((tag) => [tag.Key, tag.Value]));
    },
    async keys(bucket: string): Promise<string[]> {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) }));
        keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
  };
}

/** Wait until `check` returns a value other than undefined, polling every `intervalMs`; fail with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
