// The handler invoked directly (as Lambda would) against a real s3rver on loopback.
import type { SQSBatchResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../src/handler.js';
import { localS3Client } from '../src/local/clients.js';
import { METRIC, MetricTotals } from '../src/metrics.js';
import { useHandlerStack } from './helpers/handler-stack.js';
import { eventBridgeEvent, getTestEvent, s3Notification, sqsEvent } from './helpers/events.js';
import { FlakyProxy } from './helpers/flaky-proxy.js';
import { jpegWithSecrets, metadataLeft, pngWithBadCrc, pngWithSecrets, plainJpeg, plainTiff, SECRETS, secretsIn } from './helpers/images.js';

const INPUT = 'sanitizer-test-input';
const OUTPUT = 'sanitizer-test-output';
const env = useHandlerStack(INPUT, OUTPUT);
const { subject } = env;
const CONFIG = env.config;

/** An SQS event whose one message is the S3 notification for `encodedKey` in the input bucket. */
const queued = (encodedKey: string, object: Record<string, unknown> = {}) => sqsEvent(s3Notification(INPUT, encodedKey, object));

describe('handler: sanitizing', () => {
  it('writes a clean copy under the same key, with the right Content-Type and none of the source metadata', async () => {
    // Prepare
    const { handler, logger, metrics } = subject();
    const source = await env.io.put(INPUT, 'photos/holiday.jpg', jpegWithSecrets(), { metadata: { owner: 'SECRET-META-OWNER', 'gps-note': 'SECRET-META-GPS' } });

    // Act
    const response = (await handler(queued('photos/holiday.jpg'))) as SQSBatchResponse;

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const output = await env.io.get(OUTPUT, 'photos/holiday.jpg');
    expect(output).toBeDefined();
    expect(output!.contentType).toBe('image/jpeg');
    expect(output!.metadata).toEqual({
      'sanitized-from-etag': source.eTag,
      'sanitized-from-sequencer': '0055AED6DCD90281E6',
      'sanitized-format': 'jpeg',
      'sanitized-removed': expect.any(String),
      'sanitized-kept': expect.any(String),
    });
    expect(output!.metadata['sanitized-removed'].split(',')).toEqual(expect.arrayContaining(['exif', 'xmp', 'comment']));
    expect(await metadataLeft(output!.bytes)).toEqual([]);
    expect(secretsIn(output!.bytes)).toEqual([]);
    expect(metrics.get(METRIC.sanitized)).toBe(1);
    expect(metrics.get(METRIC.bytesOut)).toBe(output!.bytes.length);
    // The input is untouched.
    expect(await env.io.tags(INPUT, 'photos/holiday.jpg')).toEqual({});
    // One log line for the object, with what happened and nothing of the metadata values.
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'info', bucket: INPUT, key: 'photos/holiday.jpg', outcome: 'sanitized', format: 'jpeg', durationMs: expect.any(Number) }),
    ]);
    expect(JSON.stringify(logger.lines)).not.toMatch(/SECRET/);
  });

  it('sanitizes a PNG and labels it image/png', async () => {
    // Prepare
    const { handler } = subject();
    await env.io.put(INPUT, 'scans/page.png', pngWithSecrets());

    // Act
    await handler(queued('scans/page.png'));

    // Assess
    const output = await env.io.get(OUTPUT, 'scans/page.png');
    expect(output?.contentType).toBe('image/png');
    expect(output?.metadata['sanitized-removed']).toBe('text');
    expect(secretsIn(output!.bytes)).toEqual([]);
  });

  it.each([
    ['a space.jpg', 'a+space.jpg'],
    ['c++ notes+1.jpg', 'c%2B%2B+notes%2B1.jpg'],
    ['100% real.jpg', '100%25+real.jpg'],
    ['café/naïve 東京.jpg', 'caf%C3%A9/na%C3%AFve+%E6%9D%B1%E4%BA%AC.jpg'],
    ["odd (1) [x] ~!*'.jpg", 'odd+%281%29+%5Bx%5D+%7E%21*%27.jpg'],
  ])('finds the object named %j from the encoded key %s', async (key, encoded) => {
    // Prepare
    const { handler } = subject();
    await env.io.put(INPUT, key, jpegWithSecrets(7));

    // Act
    const response = await handler(queued(encoded));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const output = await env.io.get(OUTPUT, key);
    expect(output?.contentType).toBe('image/jpeg');
    expect(secretsIn(output!.bytes)).toEqual([]);
  });

  it('gives the same output, without error, when the event is delivered again', async () => {
    // Prepare
    const { handler } = subject();
    await env.io.put(INPUT, 'again/photo.jpg', jpegWithSecrets(3));
    await handler(queued('again/photo.jpg'));
    const first = await env.io.get(OUTPUT, 'again/photo.jpg');

    // Act
    const response = await handler(queued('again/photo.jpg'));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const second = await env.io.get(OUTPUT, 'again/photo.jpg');
    expect(second!.bytes.equals(first!.bytes)).toBe(true);
    expect(second!.metadata).toEqual(first!.metadata);
  });

  it('handles a direct S3 notification and an EventBridge event', async () => {
    // Prepare
    const { handler } = subject();
    await env.io.put(INPUT, 'direct/one.jpg', jpegWithSecrets(4));
    await env.io.put(INPUT, 'bridge/two three.jpg', jpegWithSecrets(5));

    // Act
    const direct = await handler(s3Notification(INPUT, 'direct/one.jpg'));
    const bridged = await handler(eventBridgeEvent(INPUT, 'bridge/two+three.jpg'));

    // Assess
    expect(direct).toBeUndefined();
    expect(bridged).toBeUndefined();
    expect(await env.io.exists(OUTPUT, 'direct/one.jpg')).toBe(true);
    expect(await env.io.exists(OUTPUT, 'bridge/two three.jpg')).toBe(true);
  });

  it('ignores s3:TestEvent, direct or queued, touching nothing', async () => {
    // Prepare
    const { handler, logger, metrics } = subject();
    const before = await env.io.keys(OUTPUT);

    // Act
    const direct = await handler(getTestEvent('s3-test-event'));
    const queuedTest = await handler(getTestEvent('sqs-s3-test-event'));

    // Assess
    expect(direct).toBeUndefined();
    expect(queuedTest).toEqual({ batchItemFailures: [] });
    expect(await env.io.keys(OUTPUT)).toEqual(before);
    expect(logger.lines).toEqual([]);
    expect(metrics.totals.size).toBe(0);
  });
});

describe('handler: fail closed', () => {
  it.each([
    ['a text file', 'notes/readme.txt', Buffer.from('not an image at all'), 'UNSUPPORTED_FORMAT'],
    ['a truncated JPEG', 'broken/cut.jpg', jpegWithSecrets(9).subarray(0, 300), 'TRUNCATED'],
    ['a PNG with a bad CRC', 'broken/crc.png', pngWithBadCrc(), 'CHECKSUM_MISMATCH'],
  ])('rejects %s: tagged in place, not published, not retried', async (_what, key, bytes, reason) => {
    // Prepare
    const { handler, logger, metrics } = subject();
    await env.io.put(INPUT, key, bytes, { tags: { project: 'alpha' } });

    // Act
    const response = await handler(queued(encodeURIComponent(key).replace(/%2F/g, '/')));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await env.io.exists(OUTPUT, key)).toBe(false);
    expect(await env.io.tags(INPUT, key)).toEqual({ project: 'alpha', 'sanitizer-outcome': 'rejected', 'sanitizer-reason': reason });
    expect((await env.io.get(INPUT, key))!.bytes.equals(Buffer.from(bytes))).toBe(true);
    expect(metrics.get(METRIC.rejected)).toBe(1);
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'warn', key, outcome: 'rejected', reason })]);
  });

  it('rejects a buffered format (TIFF) over the size cap by its Content-Length, after reading only its head', async () => {
    // Prepare
    const proxy = await FlakyProxy.start(env.stack.s3Port);
    const client = localS3Client(proxy.endpoint);
    const { handler } = subject({ maxObjectBytes: 1000 }, client);
    const big = plainTiff(64, 64);
    expect(big.length).toBeGreaterThan(1000);
    await env.io.put(INPUT, 'big/by-length.tif', big);

    try {
      // Act: an event without a size, so only the GET response can tell.
      const response = await handler(queued('big/by-length.tif'));

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      expect(await env.io.exists(OUTPUT, 'big/by-length.tif')).toBe(false);
      expect(await env.io.tags(INPUT, 'big/by-length.tif')).toMatchObject({ 'sanitizer-outcome': 'rejected', 'sanitizer-reason': 'OBJECT_TOO_LARGE' });
      expect(proxy.requests.filter((r) => r.startsWith('GET /') && !r.includes('tagging'))).toHaveLength(1);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  it('rejects a buffered format over the size cap by counting, when the length is not announced', async () => {
    // Prepare
    const proxy = await FlakyProxy.start(env.stack.s3Port);
    proxy.hideContentLength = true;
    const client = localS3Client(proxy.endpoint);
    const { handler } = subject({ maxObjectBytes: 1000 }, client);
    await env.io.put(INPUT, 'big/by-count.tif', plainTiff(64, 64, 2));
    await env.io.put(INPUT, 'big/small-enough.tif', plainTiff(8, 8, 2));

    try {
      // Act
      await handler(queued('big/by-count.tif'));
      await handler(queued('big/small-enough.tif'));

      // Assess
      expect(await env.io.exists(OUTPUT, 'big/by-count.tif')).toBe(false);
      expect(await env.io.tags(INPUT, 'big/by-count.tif')).toMatchObject({ 'sanitizer-reason': 'OBJECT_TOO_LARGE' });
      expect(await env.io.exists(OUTPUT, 'big/small-enough.tif')).toBe(true);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  it('applies the size cap to buffered formats only: a JPEG over it streams through and is sanitized', async () => {
    // Prepare
    const { handler, metrics } = subject({ maxObjectBytes: 1000 });
    const big = jpegWithSecrets(3);
    expect(big.length).toBeGreaterThan(1000);
    await env.io.put(INPUT, 'big/streamed.jpg', big);
    await env.io.put(INPUT, 'big/buffered.tif', plainTiff(64, 64, 3));

    // Act: the events announce sizes over the cap; only the format read from the body decides.
    await handler(queued('big/streamed.jpg', { size: big.length }));
    await handler(queued('big/buffered.tif', { size: 5_000_000 }));

    // Assess
    const output = await env.io.get(OUTPUT, 'big/streamed.jpg');
    expect(output).toBeDefined();
    expect(secretsIn(output!.bytes)).toEqual([]);
    expect(await env.io.tags(INPUT, 'big/streamed.jpg')).toEqual({});
    expect(await env.io.exists(OUTPUT, 'big/buffered.tif')).toBe(false);
    expect(await env.io.tags(INPUT, 'big/buffered.tif')).toMatchObject({ 'sanitizer-reason': 'OBJECT_TOO_LARGE' });
    expect(metrics.get(METRIC.sanitized)).toBe(1);
    expect(metrics.get(METRIC.rejected)).toBe(1);
  });

  it('fails only the poison message of a batch; its neighbours succeed', async () => {
    // Prepare
    const { handler } = subject();
    await env.io.put(INPUT, 'batch/first.jpg', jpegWithSecrets(11));
    await env.io.put(INPUT, 'batch/third.jpg', jpegWithSecrets(12));
    const event = sqsEvent(s3Notification(INPUT, 'batch/first.jpg'), '{"Records": [', s3Notification(INPUT, 'batch/third.jpg'));

    // Act
    const response = await handler(event);

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-1' }] });
    expect(await env.io.exists(OUTPUT, 'batch/first.jpg')).toBe(true);
    expect(await env.io.exists(OUTPUT, 'batch/third.jpg')).toBe(true);
  });

  it.each([
    ['answers 503', 'unavailable' as const],
    ['drops the connection', 'reset' as const],
  ])('fails the record for a retry when S3 %s, publishing nothing and tagging nothing', async (_what, mode) => {
    // Prepare
    const proxy = await FlakyProxy.start(env.stack.s3Port);
    const client = localS3Client(proxy.endpoint, { maxAttempts: 1 });
    const { handler, logger, metrics } = subject({}, client);
    const key = `transient/${mode}.jpg`;
    await env.io.put(INPUT, key, jpegWithSecrets(13));
    proxy.mode = mode;

    try {
      // Act
      const failed = await handler(sqsEvent(s3Notification(INPUT, key)));
      const thrown = await handler(s3Notification(INPUT, key)).catch((error: unknown) => error);
      proxy.mode = 'forward';
      const retried = await handler(sqsEvent(s3Notification(INPUT, key)));

      // Assess
      expect(failed).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-0' }] });
      expect(thrown).toBeInstanceOf(AggregateError);
      expect(metrics.get(METRIC.failed)).toBe(2);
      expect(logger.lines[0]).toMatchObject({ level: 'error', key, outcome: 'failed', ...(mode === 'unavailable' ? { httpStatus: 503 } : {}) });
      expect(retried).toEqual({ batchItemFailures: [] });
      expect(await env.io.exists(OUTPUT, key)).toBe(true);
      expect(await env.io.tags(INPUT, key)).toEqual({});
    } finally {
      client.destroy();
      await proxy.close();
    }
  });
});

describe('handler: what it does not touch', () => {
  it('ignores events from a bucket other than INPUT_BUCKET, and from the output bucket', async () => {
    // Prepare
    const { handler, logger } = subject();
    await env.io.put(OUTPUT, 'loop/already-clean.jpg', plainJpeg(20));

    // Act
    const foreign = await handler(sqsEvent(s3Notification('someone-elses-bucket', 'x.jpg')));
    const loop = await handler(sqsEvent(s3Notification(OUTPUT, 'loop/already-clean.jpg')));
    const loopWithoutInputBucket = await subject({ inputBucket: undefined }).handler(sqsEvent(s3Notification(OUTPUT, 'loop/already-clean.jpg')));

    // Assess
    expect([foreign, loop, loopWithoutInputBucket]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(logger.lines.map((line) => line.reason)).toEqual(['FOREIGN_BUCKET', 'OUTPUT_BUCKET']);
    expect(await env.io.tags(OUTPUT, 'loop/already-clean.jpg')).toEqual({});
  });

  it('ignores an object deleted before it was read', async () => {
    // Prepare
    const { handler, logger } = subject();

    // Act
    const response = await handler(queued('gone/never-there.jpg'));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(logger.lines).toEqual([expect.objectContaining({ outcome: 'ignored', reason: 'NOT_FOUND' })]);
  });
});

describe('handler: Powertools logging', () => {
  it('writes one structured JSON line per object, without metadata values', async () => {
    // Prepare
    const { Logger } = await import('@aws-lambda-powertools/logger');
    const written: string[] = [];
    const streams = [process.stdout, process.stderr];
    const writes = streams.map((stream) => stream.write);
    for (const stream of streams) {
      stream.write = ((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      }) as typeof stream.write;
    }
    const logger = new Logger({ serviceName: 'image-sanitizer-test' });
    const handler = createHandler({ s3: env.s3, config: CONFIG, logger, metrics: new MetricTotals() });
    await env.io.put(INPUT, 'logged/photo.jpg', jpegWithSecrets(21), { metadata: { secret: SECRETS.artist } });
    await env.io.put(INPUT, 'logged/bad.jpg', 'garbage');

    try {
      // Act
      await handler(sqsEvent(s3Notification(INPUT, 'logged/photo.jpg'), s3Notification(INPUT, 'logged/bad.jpg')));
    } finally {
      streams.forEach((stream, index) => (stream.write = writes[index]));
    }

    // Assess
    const lines = written.join('').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({ level: 'INFO', service: 'image-sanitizer-test', bucket: INPUT, key: 'logged/photo.jpg', outcome: 'sanitized', format: 'jpeg', size: expect.any(Number), removed: expect.arrayContaining(['exif']), durationMs: expect.any(Number) }),
      expect.objectContaining({ level: 'WARN', key: 'logged/bad.jpg', outcome: 'rejected', reason: 'UNSUPPORTED_FORMAT' }),
    ]);
    expect(written.join('')).not.toMatch(/SECRET/);
  });
});
