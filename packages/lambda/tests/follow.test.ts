// Outputs follow their inputs: removals delete, rejected re-uploads withdraw, and an older input
// never replaces a newer output. The handler runs against a real s3rver on loopback; events are
// the AWS shapes, with explicit sequencers so that order, duplicates and delays are chosen here.
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeS3Key } from '../src/events.js';
import { localS3Client } from '../src/local/clients.js';
import { METRIC } from '../src/metrics.js';
import { compareSequencers, SEQUENCER_METADATA } from '../src/ordering.js';
import { getTestEvent, s3Notification, sqsEvent } from './helpers/events.js';
import { FlakyProxy } from './helpers/flaky-proxy.js';
import { useHandlerStack } from './helpers/handler-stack.js';
import { plainJpeg } from './helpers/images.js';

const INPUT = 'follow-test-input';
const OUTPUT = 'follow-test-output';
const env = useHandlerStack(INPUT, OUTPUT);
const { subject } = env;

/** An SQS event carrying the creation notification of `key` with `sequencer` (and the uploaded ETag). */
const created = (key: string, sequencer: string, eTag?: string) =>
  sqsEvent(s3Notification(INPUT, encodeS3Key(key), { sequencer, ...(eTag ? { eTag } : {}) }));

/** An SQS event carrying the removal notification of `key` with `sequencer`. */
function removed(key: string, sequencer: string) {
  const event = getTestEvent('s3-object-removed');
  event.Records[0].s3.bucket.name = INPUT;
  event.Records[0].s3.object = { key: encodeS3Key(key), sequencer };
  return sqsEvent(event);
}

const NOT_AN_IMAGE = Buffer.from('this is not an image');

let proxy: FlakyProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

describe('compareSequencers', () => {
  it.each([
    ['0055AED6DCD90281E5', '0055AED6DCD90281E6', -1],
    ['0055AED6DCD90281E6', '0055AED6DCD90281E6', 0],
    ['0055aed6dcd90281e7', '0055AED6DCD90281E6', 1],
    // Different lengths compare as numbers: left-padded with zeros.
    ['FF', '0100', -1],
    ['100', 'FF', 1],
    ['00FF', 'FF', 0],
  ])('%s against %s is %d', (a, b, expected) => {
    // Act & Assess
    expect(Math.sign(compareSequencers(a, b))).toBe(expected);
  });
});

describe('removals', () => {
  it('deleting an input deletes its output', async () => {
    // Prepare
    const { handler, metrics, logger } = subject();
    const key = 'removed/photo one.jpg';
    await env.io.put(INPUT, key, plainJpeg(1));
    await handler(created(key, '0000000000000010'));
    expect(await env.io.exists(OUTPUT, key)).toBe(true);
    await env.s3.send(new DeleteObjectCommand({ Bucket: INPUT, Key: key }));

    // Act
    const response = (await handler(removed(key, '0000000000000020'))) as SQSBatchResponse;

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await env.io.exists(OUTPUT, key)).toBe(false);
    expect(metrics.get(METRIC.deleted)).toBe(1);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'info', key, outcome: 'deleted' });
  });

  it('keeps the output when the input exists again (a newer upload, whose own event decides)', async () => {
    // Prepare
    const { handler, metrics, logger } = subject();
    const key = 'removed/uploaded-again.jpg';
    await env.io.put(INPUT, key, plainJpeg(2));
    await handler(created(key, '0000000000000010'));

    // Act: the removal arrives, but the key holds an object again
    await handler(removed(key, '0000000000000020'));

    // Assess
    expect(await env.io.exists(OUTPUT, key)).toBe(true);
    expect(metrics.get(METRIC.deleted)).toBe(0);
    expect(logger.lines.at(-1)).toMatchObject({ outcome: 'ignored', reason: 'INPUT_EXISTS' });
  });

  it('does nothing when there is no output to delete', async () => {
    // Prepare
    const { handler, logger } = subject();

    // Act
    const response = (await handler(removed('removed/never-published.jpg', '0000000000000020'))) as SQSBatchResponse;

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(logger.lines.at(-1)).toMatchObject({ outcome: 'ignored', reason: 'NOT_PUBLISHED' });
  });
});

describe('withdrawals', () => {
  it('a rejected re-upload withdraws the older output of its key', async () => {
    // Prepare
    const { handler, metrics, logger } = subject();
    const key = 'withdrawn/was-a-photo.jpg';
    await env.io.put(INPUT, key, plainJpeg(3));
    await handler(created(key, '0000000000000010'));
    expect(await env.io.exists(OUTPUT, key)).toBe(true);
    await env.io.put(INPUT, key, NOT_AN_IMAGE);

    // Act
    await handler(created(key, '0000000000000020'));

    // Assess
    expect(await env.io.exists(OUTPUT, key)).toBe(false);
    expect(await env.io.tags(INPUT, key)).toMatchObject({ 'sanitizer-outcome': 'rejected', 'sanitizer-reason': 'UNSUPPORTED_FORMAT' });
    expect(metrics.get(METRIC.rejected)).toBe(1);
    expect(metrics.get(METRIC.withdrawn)).toBe(1);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'warn', key, outcome: 'rejected', withdrawn: true });
  });

  it('a rejection with an older sequencer than the published output withdraws nothing', async () => {
    // Prepare: the newer clean upload (sequencer 30) is published; the rejected one was sequencer 20
    const { handler, metrics } = subject();
    const key = 'withdrawn/late-rejection.jpg';
    await env.io.put(INPUT, key, plainJpeg(4));
    await handler(created(key, '0000000000000030'));
    await env.io.put(INPUT, key, NOT_AN_IMAGE);

    // Act
    await handler(created(key, '0000000000000020'));

    // Assess
    const output = await env.io.get(OUTPUT, key);
    expect(output?.metadata[SEQUENCER_METADATA]).toBe('0000000000000030');
    expect(metrics.get(METRIC.withdrawn)).toBe(0);
  });

  it('a rejection with nothing published withdraws nothing', async () => {
    // Prepare
    const { handler, metrics, logger } = subject();
    const key = 'withdrawn/never-published.txt';
    await env.io.put(INPUT, key, NOT_AN_IMAGE);

    // Act
    await handler(created(key, '0000000000000010'));

    // Assess
    expect(metrics.get(METRIC.withdrawn)).toBe(0);
    expect(logger.lines.at(-1)).toMatchObject({ outcome: 'rejected' });
    expect(logger.lines.at(-1)).not.toHaveProperty('withdrawn');
  });
});

describe('ordering', () => {
  it('records the event sequencer and the version read on the output', async () => {
    // Prepare
    const { handler } = subject();
    const key = 'order/recorded.jpg';
    const { eTag } = await env.io.put(INPUT, key, plainJpeg(5));

    // Act
    await handler(created(key, '00000000000000A1', eTag));

    // Assess
    const output = await env.io.get(OUTPUT, key);
    expect(output?.metadata).toMatchObject({ [SEQUENCER_METADATA]: '00000000000000A1', 'sanitized-from-etag': eTag });
  });

  it('a duplicated event and a reordered older event leave the newer output as it is', async () => {
    // Prepare: two uploads; the newer event (sequencer 20) is handled first
    const { handler, logger } = subject();
    const key = 'order/reordered.jpg';
    await env.io.put(INPUT, key, plainJpeg(6));
    const newer = await env.io.put(INPUT, key, plainJpeg(7));
    await handler(created(key, '0000000000000020'));
    const published = await env.io.get(OUTPUT, key);

    // Act: the same event again, then the older one
    await handler(created(key, '0000000000000020'));
    await handler(created(key, '0000000000000010'));

    // Assess
    const output = await env.io.get(OUTPUT, key);
    expect(output?.eTag).toBe(published?.eTag);
    expect(output?.metadata).toMatchObject({ [SEQUENCER_METADATA]: '0000000000000020', 'sanitized-from-etag': newer.eTag });
    expect(logger.lines.slice(-2)).toEqual([
      expect.objectContaining({ outcome: 'ignored', reason: 'SUPERSEDED' }),
      expect.objectContaining({ outcome: 'ignored', reason: 'SUPERSEDED' }),
    ]);
  });

  it('a slow read of the first upload does not overwrite the output of the second', async () => {
    // Prepare: handler "slow" reads through a proxy that holds its GET back for 1.5 s
    proxy = await FlakyProxy.start(env.stack.s3Port);
    const slowClient = localS3Client(proxy.endpoint, { maxAttempts: 1 });
    const slow = subject({}, slowClient);
    const fast = subject();
    const key = 'order/slow first.jpg';
    await env.io.put(INPUT, key, plainJpeg(8));
    proxy.holdNextGet(`/${INPUT}/${encodeURIComponent(key).replace(/%2F/g, '/')}`, 1_500);

    // Act: the first upload's read starts, the second upload is published meanwhile
    const first = slow.handler(created(key, '0000000000000010'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await env.io.put(INPUT, key, plainJpeg(9));
    await fast.handler(created(key, '0000000000000020'));
    await first;
    slowClient.destroy();

    // Assess
    const output = await env.io.get(OUTPUT, key);
    expect(output?.metadata).toMatchObject({ [SEQUENCER_METADATA]: '0000000000000020', 'sanitized-from-etag': second.eTag });
    expect(slow.logger.lines.at(-1)).toMatchObject({ outcome: 'ignored', reason: 'SUPERSEDED' });
    expect(proxy.requests.some((request) => request.startsWith('GET') && request.includes('slow%20first.jpg'))).toBe(true);
  });

  it('a slow read is not published when the input changed meanwhile, even before the newer event is handled', async () => {
    // Prepare
    proxy = await FlakyProxy.start(env.stack.s3Port);
    const slowClient = localS3Client(proxy.endpoint, { maxAttempts: 1 });
    const slow = subject({}, slowClient);
    const key = 'order/changed-meanwhile.jpg';
    await env.io.put(INPUT, key, plainJpeg(10));
    proxy.holdNextGet(`/${INPUT}/${key}`, 1_000);

    // Act
    const first = slow.handler(created(key, '0000000000000010'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await env.io.put(INPUT, key, plainJpeg(11));
    await first;
    slowClient.destroy();

    // Assess: nothing published yet; the second upload's event will publish it
    expect(await env.io.exists(OUTPUT, key)).toBe(false);
    expect(slow.logger.lines.at(-1)).toMatchObject({ outcome: 'ignored', reason: 'SUPERSEDED' });
  });

  it('writes and deletes conditionally (If-None-Match, then If-Match the ETag seen) and checks again after a 412', async () => {
    // Prepare
    proxy = await FlakyProxy.start(env.stack.s3Port);
    const client = localS3Client(proxy.endpoint, { maxAttempts: 1 });
    const { handler, metrics } = subject({}, client);
    const key = 'order/conditional.jpg';
    await env.io.put(INPUT, key, plainJpeg(14));

    // Act: the first write meets a conflict (S3's answer when another writer came first)
    proxy.conflictNextConditionalWrite = true;
    const first = (await handler(created(key, '0000000000000010'))) as SQSBatchResponse;
    const published = await env.io.get(OUTPUT, key);
    await env.io.put(INPUT, key, plainJpeg(15));
    await handler(created(key, '0000000000000020'));
    await env.s3.send(new DeleteObjectCommand({ Bucket: INPUT, Key: key }));
    await handler(removed(key, '0000000000000030'));
    client.destroy();

    // Assess
    expect(first).toEqual({ batchItemFailures: [] });
    expect(metrics.get(METRIC.sanitized)).toBe(2);
    expect(metrics.get(METRIC.deleted)).toBe(1);
    const path = `/${OUTPUT}/order/conditional.jpg`;
    expect(proxy.conditionalWrites).toEqual([
      `PUT ${path} if-none-match=*`,
      `PUT ${path} if-none-match=*`,
      `PUT ${path} if-match="${published?.eTag}"`,
      expect.stringMatching(new RegExp(`^DELETE ${path} if-match="[0-9a-f]+"$`)),
    ]);
  });

  it('without a sequencer (a backfill), the current input is written and the published sequencer kept', async () => {
    // Prepare
    const { handler } = subject();
    const key = 'order/backfilled.jpg';
    await env.io.put(INPUT, key, plainJpeg(12));
    await handler(created(key, '0000000000000040'));
    const current = await env.io.put(INPUT, key, plainJpeg(13));
    const event = created(key, 'unused');
    const body = JSON.parse(event.Records[0].body);
    delete body.Records[0].s3.object.sequencer;
    event.Records[0].body = JSON.stringify(body);

    // Act
    await handler(event);

    // Assess
    const output = await env.io.get(OUTPUT, key);
    expect(output?.metadata).toMatchObject({ [SEQUENCER_METADATA]: '0000000000000040', 'sanitized-from-etag': current.eTag });
  });
});
