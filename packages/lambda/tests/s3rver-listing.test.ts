// s3rver 3.7.1 enciphers ListObjectsV2 continuation tokens with DES, which Node >= 17's OpenSSL refuses: every
// truncated listing answered 500. patches/s3rver+3.7.1.patch (applied by the root postinstall) switches to AES.
import { ListObjectsV2Command, paginateListObjectsV2, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localS3Client } from '../src/local/clients.js';
import { startLocalStack, type LocalStack } from '../src/local/stack.js';

const BUCKET = 'listing-test-input';
const COUNT = 1_050;
let stack: LocalStack;
let s3: S3Client;
const keys = Array.from({ length: COUNT }, (_, i) => `folder ${i % 7}/photo+${String(i).padStart(5, '0')}.jpg`).sort();

beforeAll(async () => {
  stack = await startLocalStack({ inputBucket: BUCKET, outputBucket: 'listing-test-output', notifications: false });
  s3 = localS3Client(stack.s3Endpoint);
  for (let at = 0; at < keys.length; at += 50) {
    await Promise.all(keys.slice(at, at + 50).map((Key) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'x' }))));
  }
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  await stack?.close();
});

describe('local S3 listing (patched s3rver)', () => {
  it(`lists all ${COUNT} objects through the SDK paginator, 100 keys a page`, async () => {
    // Act
    const listed: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 100 }, { Bucket: BUCKET })) {
      pages++;
      listed.push(...(page.Contents ?? []).map((object) => object.Key!));
    }

    // Assess
    expect(pages).toBe(11);
    expect(listed).toEqual(keys);
  });

  it('lists past 1,000 keys with the default page size, and within a prefix', async () => {
    const all: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: BUCKET })) all.push(...(page.Contents ?? []).map((o) => o.Key!));
    expect(all).toHaveLength(COUNT);

    const inFolder: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 25 }, { Bucket: BUCKET, Prefix: 'folder 3/' })) inFolder.push(...(page.Contents ?? []).map((o) => o.Key!));
    expect(inFolder).toEqual(keys.filter((key) => key.startsWith('folder 3/')));
  });

  it('answers a token that is not its own with 400 InvalidArgument, not 500', async () => {
    await expect(s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: Buffer.alloc(48, 7).toString('base64') }))).rejects.toMatchObject({
      name: 'InvalidArgument',
      $metadata: { httpStatusCode: 400 },
    });
  });
});
