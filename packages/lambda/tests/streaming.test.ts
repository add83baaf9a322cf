// S3 -> SanitizeStream -> S3 on the local stack: single PutObject vs multipart upload,
// aborts on every failure, cut bodies retried, and the tag merge.
import type { SQSBatchResponse } from 'aws-lambda';
import { SanitizeStream, sanitizeImage } from '@image-sanitizer/core';
import { describe, expect, it } from 'vitest';
import { TruncatedBodyError } from '../src/errors.js';
import { localS3Client } from '../src/local/clients.js';
import { pendingUploads } from '../src/local/multipart-abort.js';
import { METRIC } from '../src/metrics.js';
import { addTags } from '../src/s3.js';
import { PART_BYTES, SINGLE_PUT_MAX_BYTES, streamObject } from '../src/stream-object.js';
import { s3Notification, sqsEvent } from './helpers/events.js';
import { FlakyProxy } from './helpers/flaky-proxy.js';
import { useHandlerStack } from './helpers/handler-stack.js';
import { jpegWithSecrets, largeJpeg, metadataLeft, secretsIn } from './helpers/images.js';

const INPUT = 'stream-test-input';
const OUTPUT = 'stream-test-output';
const env = useHandlerStack(INPUT, OUTPUT);
const TRAILER_SECRET = 'SECRET-TRAILER-5d20';
const MIB = 1024 * 1024;
/** An object whose output is too large for one PutObject: five parts and a bit. */
const LARGE = SINGLE_PUT_MAX_BYTES + 2 * PART_BYTES + 12345;

/** Whether the core emits JPEG output before the input ends (its incremental walker), or holds the whole image first. */
async function coreStreamsJpeg(): Promise<boolean> {
  const stream = new SanitizeStream();
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  writer.write(largeJpeg(2 * MIB).subarray(0, MIB)).catch(() => {});
  const early = await Promise.race([reader.read().then((next) => !next.done), new Promise<false>((resolve) => setTimeout(resolve, 1000, false))]);
  await reader.cancel().catch(() => {});
  return early;
}
const STREAMS_JPEG = await coreStreamsJpeg();

const queued = (key: string) => sqsEvent(s3Notification(INPUT, key));
/** The writes the handler sent for an output key, in order, named as the S3 API names them (the ordering checks' HEADs left out). */
function operations(proxy: FlakyProxy, key: string): string[] {
  return proxy.requests.flatMap((request) => {
    const [method, target] = request.split(' ');
    const url = new URL(target, 'http://s3');
    // HEADs are the ordering checks (ordering.ts, tested in follow.test.ts): only writes count here.
    if (url.pathname !== `/${OUTPUT}/${key}` || method === 'HEAD') return [];
    const part = url.searchParams.get('partNumber');
    if (method === 'POST' && url.searchParams.has('uploads')) return ['CreateMultipartUpload'];
    if (method === 'PUT' && part !== null) return [`UploadPart ${part}`];
    if (method === 'POST' && url.searchParams.has('uploadId')) return ['CompleteMultipartUpload'];
    if (method === 'DELETE' && url.searchParams.has('uploadId')) return ['AbortMultipartUpload'];
    if (method === 'PUT') return ['PutObject'];
    return [`${method} ${url.search}`];
  });
}

/** A handler whose S3 client goes through a FlakyProxy, so the test sees (and can break) every request. */
async function proxied() {
  const proxy = await FlakyProxy.start(env.stack.s3Port);
  const client = localS3Client(proxy.endpoint);
  const subject = env.subject({ maxObjectBytes: 1024 }, client);
  return {
    ...subject,
    proxy,
    async close() {
      client.destroy();
      await proxy.close();
    },
  };
}

describe('streaming: how the output is written', () => {
  it('writes an output of up to SINGLE_PUT_MAX_BYTES with a single PutObject carrying the whole report', async () => {
    // Prepare
    const t = await proxied();
    const source = await env.io.put(INPUT, 'small/one.jpg', jpegWithSecrets(4));

    try {
      // Act
      const response = await t.handler(queued('small/one.jpg'));

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      expect(operations(t.proxy, 'small/one.jpg')).toEqual(['PutObject']);
      const output = await env.io.get(OUTPUT, 'small/one.jpg');
      expect(output!.metadata).toEqual({
        'sanitized-from-etag': source.eTag,
        'sanitized-from-sequencer': expect.any(String),
        'sanitized-format': 'jpeg',
        'sanitized-removed': expect.stringContaining('exif'),
        'sanitized-kept': expect.any(String),
      });
      expect(secretsIn(output!.bytes)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('streams a larger output as a multipart upload: the bytes sanitizeImage gives, metadata known up front, no upload left', async () => {
    // Prepare
    const t = await proxied();
    const input = largeJpeg(LARGE, 5, TRAILER_SECRET);
    const source = await env.io.put(INPUT, 'large/photo.jpg', input);

    try {
      // Act
      const response = await t.handler(queued('large/photo.jpg'));

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      expect(operations(t.proxy, 'large/photo.jpg')).toEqual([
        'CreateMultipartUpload',
        ...[1, 2, 3, 4, 5, 6].map((n) => `UploadPart ${n}`),
        'CompleteMultipartUpload',
      ]);
      const output = await env.io.get(OUTPUT, 'large/photo.jpg');
      expect(output!.bytes.equals(sanitizeImage(input).bytes)).toBe(true);
      expect(output!.contentType).toBe('image/jpeg');
      // removed/kept are only known at the end of the stream, after the upload's metadata was fixed.
      expect(output!.metadata).toEqual({ 'sanitized-from-etag': source.eTag, 'sanitized-from-sequencer': expect.any(String), 'sanitized-format': 'jpeg' });
      expect(secretsIn(output!.bytes)).toEqual([]);
      expect(secretsIn(output!.bytes, [TRAILER_SECRET])).toEqual([]);
      expect(await metadataLeft(output!.bytes)).toEqual([]);
      expect(t.logger.lines).toEqual([expect.objectContaining({ outcome: 'sanitized', removed: expect.arrayContaining(['exif', 'trailer']) })]);
      expect(pendingUploads(env.stack.dataDir, OUTPUT)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('streaming: fail closed', () => {
  it('aborts the multipart upload when S3 fails a part: nothing published, no upload left, the message retried', async () => {
    // Prepare
    const t = await proxied();
    t.proxy.failWhen = (request) => request.startsWith('PUT ') && request.includes('partNumber=2');
    await env.io.put(INPUT, 'large/part-fails.jpg', largeJpeg(LARGE, 6));

    try {
      // Act
      const response = (await t.handler(queued('large/part-fails.jpg'))) as SQSBatchResponse;

      // Assess
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'message-0' }]);
      const sent = operations(t.proxy, 'large/part-fails.jpg');
      expect(sent).toContain('UploadPart 2');
      expect(sent).not.toContain('CompleteMultipartUpload');
      expect(sent.at(-1)).toBe('AbortMultipartUpload');
      expect(await env.io.exists(OUTPUT, 'large/part-fails.jpg')).toBe(false);
      expect(pendingUploads(env.stack.dataDir, OUTPUT)).toEqual([]);
      expect(await env.io.tags(INPUT, 'large/part-fails.jpg')).toEqual({});
      expect(t.metrics.get(METRIC.failed)).toBe(1);
    } finally {
      await t.close();
    }
  });

  it.skipIf(!STREAMS_JPEG)(`aborts the multipart upload when the image proves broken at its end: rejected, nothing published, no upload left${STREAMS_JPEG ? '' : ' (SKIPPED: this core holds a JPEG whole before emitting it, so no part is uploaded before the end is seen)'}`, async () => {
    // Prepare: parts are uploaded before the missing EOI is seen.
    const t = await proxied();
    const whole = largeJpeg(LARGE, 7);
    await env.io.put(INPUT, 'large/no-eoi.jpg', whole.subarray(0, whole.length - 2));

    try {
      // Act
      const response = await t.handler(queued('large/no-eoi.jpg'));

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      const sent = operations(t.proxy, 'large/no-eoi.jpg');
      expect(sent.slice(0, 2)).toEqual(['CreateMultipartUpload', 'UploadPart 1']);
      expect(sent).not.toContain('CompleteMultipartUpload');
      expect(sent.at(-1)).toBe('AbortMultipartUpload');
      expect(await env.io.exists(OUTPUT, 'large/no-eoi.jpg')).toBe(false);
      expect(pendingUploads(env.stack.dataDir, OUTPUT)).toEqual([]);
      expect(await env.io.tags(INPUT, 'large/no-eoi.jpg')).toEqual({ 'sanitizer-outcome': 'rejected', 'sanitizer-reason': 'TRUNCATED' });
    } finally {
      await t.close();
    }
  });

  it.each([
    ['a small JPEG', 'cut/small.jpg', () => jpegWithSecrets(8), 300],
    ['a large JPEG, mid-stream', 'cut/large.jpg', () => largeJpeg(LARGE, 8), SINGLE_PUT_MAX_BYTES + PART_BYTES],
  ])('retries %s whose body is cut short, never rejects it', async (_what, key, image, cutAt) => {
    // Prepare
    const t = await proxied();
    t.proxy.cutGetBodyAfter = cutAt;
    await env.io.put(INPUT, key, image());

    try {
      // Act
      const response = (await t.handler(queued(key))) as SQSBatchResponse;

      // Assess
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'message-0' }]);
      expect(await env.io.exists(OUTPUT, key)).toBe(false);
      expect(pendingUploads(env.stack.dataDir, OUTPUT)).toEqual([]);
      expect(await env.io.tags(INPUT, key)).toEqual({});
      expect(t.metrics.get(METRIC.rejected)).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('compares the bytes read with Content-Length: a body that ends cleanly but short is a TruncatedBodyError, nothing written', async () => {
    // Prepare: a source whose stream ends without an error, one byte early.
    const image = jpegWithSecrets(9);
    const source = {
      body: (async function* () {
        yield image.subarray(0, 100);
        yield image.subarray(100, image.length - 1);
      })(),
      contentLength: image.length,
      destroy: () => {},
    };
    const target = { bucket: OUTPUT, key: 'short/clean-end.jpg', metadata: () => ({}), reportMetadata: () => ({}) };

    // Act
    const streamed = streamObject(env.s3, source, target, { maxBufferedBytes: MIB, sanitize: {} });

    // Assess
    await expect(streamed).rejects.toBeInstanceOf(TruncatedBodyError);
    await expect(streamed).rejects.toMatchObject({ code: 'BODY_TRUNCATED', expected: image.length, received: image.length - 1 });
    expect(await env.io.exists(OUTPUT, 'short/clean-end.jpg')).toBe(false);
  });
});

describe('tag merge', () => {
  it('keeps existing tags whose names are Object.prototype members (constructor, toString), and replaces ours', async () => {
    // Prepare
    await env.io.put(INPUT, 'tags/proto.txt', 'not an image', {
      tags: { constructor: 'c', toString: 't', hasOwnProperty: 'h', 'sanitizer-reason': 'OLD' },
    });

    // Act
    await addTags(env.s3, { bucket: INPUT, key: 'tags/proto.txt' }, { 'sanitizer-outcome': 'rejected', 'sanitizer-reason': 'UNSUPPORTED_FORMAT' });

    // Assess
    expect(await env.io.tags(INPUT, 'tags/proto.txt')).toEqual({
      constructor: 'c',
      toString: 't',
      hasOwnProperty: 'h',
      'sanitizer-outcome': 'rejected',
      'sanitizer-reason': 'UNSUPPORTED_FORMAT',
    });
  });
});
