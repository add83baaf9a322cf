// Edge cases from an adversarial review, against a real s3rver on loopback.
import { describe, expect, it } from 'vitest';
import { METRIC } from '../src/metrics.js';
import { useHandlerStack } from './helpers/handler-stack.js';
import { s3Notification, sqsEvent } from './helpers/events.js';
import { jpegWithSecrets, plainTiff, secretsIn } from './helpers/images.js';

const INPUT = 'review-test-input';
const OUTPUT = 'review-test-output';
const env = useHandlerStack(INPUT, OUTPUT);
const { subject } = env;

describe('folder markers', () => {
  it('ignores the empty object the S3 console creates for a folder: no tag, no rejection, no alarm', async () => {
    // Prepare
    const { handler, logger, metrics } = subject();
    await env.io.put(INPUT, 'uploads/2025/', '');

    // Act
    const response = await handler(sqsEvent(s3Notification(INPUT, 'uploads/2025/', { size: 0 })));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await env.io.tags(INPUT, 'uploads/2025/')).toEqual({});
    expect(await env.io.exists(OUTPUT, 'uploads/2025/')).toBe(false);
    expect(metrics.get(METRIC.rejected)).toBe(0);
    expect(metrics.get(METRIC.ignored)).toBe(1);
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'info', outcome: 'ignored', reason: 'FOLDER_MARKER' })]);
  });

  it('still rejects an empty object whose key is not a folder, and sanitizes content under a key ending in /', async () => {
    // Prepare
    const { handler } = subject();
    await env.io.put(INPUT, 'uploads/empty.jpg', '');
    await env.io.put(INPUT, 'uploads/sneaky/', jpegWithSecrets(31));

    // Act
    const response = await handler(sqsEvent(s3Notification(INPUT, 'uploads/empty.jpg', { size: 0 }), s3Notification(INPUT, 'uploads/sneaky/')));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await env.io.tags(INPUT, 'uploads/empty.jpg')).toMatchObject({ 'sanitizer-outcome': 'rejected' });
    const output = await env.io.get(OUTPUT, 'uploads/sneaky/');
    expect(output?.contentType).toBe('image/jpeg');
    expect(secretsIn(output!.bytes)).toEqual([]);
  });
});

describe('keys and bodies that cannot be read', () => {
  it.each([
    ['a truncated percent escape', 'bad%E0%A4%A.jpg'],
    ['a lone percent sign', '100%.jpg'],
    ['an encoded lone surrogate', 'x%ED%A0%80.jpg'],
  ])('fails only the message whose key has %s, saying so, and processes its neighbours', async (_what, encoded) => {
    // Prepare
    const { handler, logger } = subject();
    await env.io.put(INPUT, 'keys/neighbour.jpg', jpegWithSecrets(32));

    // Act
    const response = await handler(sqsEvent(s3Notification(INPUT, encoded), s3Notification(INPUT, 'keys/neighbour.jpg')));

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-0' }] });
    expect(await env.io.exists(OUTPUT, 'keys/neighbour.jpg')).toBe(true);
    expect(logger.lines[0]).toMatchObject({ level: 'error', messageId: 'message-0', errorName: 'EventShapeError' });
    expect(String(logger.lines[0].errorMessage)).toContain('not valid URL encoding');
  });

  it.each([
    ['JSON null', 'null'],
    ['a JSON array', '[1,2]'],
    ['a Records field that is not an array', '{"Records": {"eventName": "ObjectCreated:Put"}}'],
    ['a record that is a string', '{"Records": ["ObjectCreated:Put"]}'],
    ['an empty body', ''],
  ])('fails only a message whose body is %s', async (_what, body) => {
    // Prepare
    const { handler } = subject();

    // Act
    const response = await handler(sqsEvent(body));

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-0' }] });
  });
});

describe('the size cap', () => {
  it('accepts a buffered format of exactly MAX_OBJECT_BYTES and rejects one byte more', async () => {
    // Prepare
    const image = plainTiff(40, 40, 33);
    const { handler: exact } = subject({ maxObjectBytes: image.length });
    const { handler: under } = subject({ maxObjectBytes: image.length - 1 });
    await env.io.put(INPUT, 'cap/exact.tif', image);
    await env.io.put(INPUT, 'cap/over.tif', image);

    // Act
    await exact(sqsEvent(s3Notification(INPUT, 'cap/exact.tif', { size: image.length })));
    await under(sqsEvent(s3Notification(INPUT, 'cap/over.tif', { size: image.length })));

    // Assess
    expect(await env.io.exists(OUTPUT, 'cap/exact.tif')).toBe(true);
    expect(await env.io.exists(OUTPUT, 'cap/over.tif')).toBe(false);
    expect(await env.io.tags(INPUT, 'cap/over.tif')).toMatchObject({ 'sanitizer-reason': 'OBJECT_TOO_LARGE' });
  });
});

describe('several objects in one message', () => {
  it('processes each object on its own: one rejected, one sanitized, nothing retried', async () => {
    // Prepare
    const { handler, metrics } = subject();
    await env.io.put(INPUT, 'multi/good.jpg', jpegWithSecrets(34));
    await env.io.put(INPUT, 'multi/bad.jpg', 'not an image');
    const body = s3Notification(INPUT, 'multi/bad.jpg');
    body.Records.push(s3Notification(INPUT, 'multi/good.jpg').Records[0]);

    // Act
    const response = await handler(sqsEvent(body));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await env.io.exists(OUTPUT, 'multi/good.jpg')).toBe(true);
    expect(await env.io.tags(INPUT, 'multi/bad.jpg')).toMatchObject({ 'sanitizer-outcome': 'rejected' });
    expect([metrics.get(METRIC.sanitized), metrics.get(METRIC.rejected)]).toEqual([1, 1]);
  });
});
