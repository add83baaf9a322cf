// S3 Batch Operations LambdaInvoke events, schema 1.0 and 2.0, through the handler against a real s3rver.
import { describe, expect, it } from 'vitest';
import { ALREADY_CURRENT_METRIC, parseBatchOperationsEvent, type BatchOperationsResponse } from '../src/batch-operations.js';
import { encodeS3Key } from '../src/events.js';
import { localS3Client } from '../src/local/clients.js';
import { METRIC } from '../src/metrics.js';
import { getTestEvent } from './helpers/events.js';
import { FlakyProxy } from './helpers/flaky-proxy.js';
import { useHandlerStack } from './helpers/handler-stack.js';
import { jpegWithSecrets, metadataLeft, pngWithBadCrc, secretsIn } from './helpers/images.js';

const INPUT = 'batch-test-input';
const OUTPUT = 'batch-test-output';
const env = useHandlerStack(INPUT, OUTPUT);
const { subject } = env;

/** The documented example invocation of `version`, pointed at `key` (URL-encoded here, as Batch Operations sends it). */
function invocation(version: '1.0' | '2.0', key: string, userArguments?: Record<string, string>) {
  const event = getTestEvent(version === '1.0' ? 's3-batch-operations-v1' : 's3-batch-operations-v2');
  const task = event.tasks[0];
  task.s3Key = encodeS3Key(key);
  task.s3VersionId = null;
  if (version === '1.0') task.s3BucketArn = `arn:aws:s3:::${INPUT}`;
  else task.s3Bucket = INPUT;
  if (userArguments !== undefined) event.job.userArguments = userArguments;
  return event;
}

describe('Batch Operations events: reading', () => {
  it('reads the documented 1.0 example: bucket from the ARN, version kept', () => {
    // Act
    const event = parseBatchOperationsEvent(getTestEvent('s3-batch-operations-v1'));

    // Assess
    expect(event).toEqual({
      invocationSchemaVersion: '1.0',
      invocationId: 'YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo',
      jobId: 'f3cc4f60-61f6-4a2b-8a21-d07600c373ce',
      userArguments: {},
      tasks: [{ taskId: 'dGFza2lkZ29lc2hlcmUK', ref: { bucket: 'amzn-s3-demo-bucket', key: 'customerImage1.jpg', versionId: '1' } }],
    });
  });

  it('reads the 2.0 shape: bucket by name, userArguments, key URL-decoded, null version dropped', () => {
    // Act
    const event = parseBatchOperationsEvent(getTestEvent('s3-batch-operations-v2'));

    // Assess
    expect(event.userArguments).toEqual({ force: 'false' });
    expect(event.tasks).toEqual([
      { taskId: 'y5R3a2lkZ29lc2hlcmUK', ref: { bucket: 'amzn-s3-demo-bucket', key: 's3 Batch Operations/customerImage1.jpg' } },
    ]);
  });

  it('decodes keys the way S3 encodes them: %2B is a plus, + and %20 are spaces, UTF-8 percent-encoded', () => {
    // Prepare
    const event = getTestEvent('s3-batch-operations-v2');
    event.tasks = [
      { ...event.tasks[0], taskId: 'a', s3Key: 'a%2Bb+c%20d' },
      { ...event.tasks[0], taskId: 'b', s3Key: 'f%C3%B6to/%E5%86%99%E7%9C%9F.jpg' },
      { ...event.tasks[0], taskId: 'c', s3Key: 'broken%E0%A4%A' },
    ];

    // Act
    const tasks = parseBatchOperationsEvent(event).tasks;

    // Assess
    expect(tasks[0].ref?.key).toBe('a+b c d');
    expect(tasks[1].ref?.key).toBe('föto/写真.jpg');
    expect(tasks[2]).toEqual({ taskId: 'c', problem: expect.stringMatching(/not valid URL encoding/) });
  });

  it('refuses an unknown schema version', () => {
    expect(() => parseBatchOperationsEvent({ ...getTestEvent('s3-batch-operations-v1'), invocationSchemaVersion: '3.0' })).toThrow(/1\.0" or "2\.0/);
  });
});

describe.each(['1.0', '2.0'] as const)('Batch Operations events, schema %s: answering', (version) => {
  it('sanitizes the object and answers Succeeded, in the documented response shape', async () => {
    // Prepare
    const { handler, metrics } = subject();
    const key = `v${version}/holiday photo+1.jpg`;
    const source = await env.io.put(INPUT, key, jpegWithSecrets());
    const event = invocation(version, key);

    // Act
    const response = (await handler(event)) as BatchOperationsResponse;

    // Assess
    const documented = getTestEvent('s3-batch-operations-response');
    expect(Object.keys(response).sort()).toEqual(Object.keys(documented).sort());
    expect(response).toEqual({
      invocationSchemaVersion: version,
      treatMissingKeysAs: 'PermanentFailure',
      invocationId: event.invocationId,
      results: [{ taskId: event.tasks[0].taskId, resultCode: 'Succeeded', resultString: expect.stringMatching(/^sanitized jpeg; removed .*exif/) }],
    });
    const output = await env.io.get(OUTPUT, key);
    expect(output?.metadata['sanitized-from-etag']).toBe(source.eTag);
    expect(await metadataLeft(output!.bytes)).toEqual([]);
    expect(secretsIn(output!.bytes)).toEqual([]);
    expect(metrics.get(METRIC.sanitized)).toBe(1);
  });

  it('skips an object whose output already records its ETag: a rerun writes nothing', async () => {
    // Prepare
    const key = `v${version}/rerun.jpg`;
    await env.io.put(INPUT, key, jpegWithSecrets(3));
    await subject().handler(invocation(version, key));
    const first = await env.io.get(OUTPUT, key);
    const proxy = await FlakyProxy.start(env.stack.s3Port);
    const client = localS3Client(proxy.endpoint);
    const { handler, metrics } = subject({}, client);

    try {
      // Act
      const response = (await handler(invocation(version, key))) as BatchOperationsResponse;

      // Assess
      expect(response.results[0]).toMatchObject({ resultCode: 'Succeeded', resultString: `current: output already sanitized from ETag ${first!.metadata['sanitized-from-etag']}` });
      expect(proxy.requests.filter((line) => !line.startsWith('HEAD '))).toEqual([]);
      expect(metrics.get(ALREADY_CURRENT_METRIC)).toBe(1);
      expect(metrics.get(METRIC.sanitized)).toBe(0);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  it('sanitizes again when the input changed since the output was written', async () => {
    // Prepare
    const key = `v${version}/changed.jpg`;
    await env.io.put(INPUT, key, jpegWithSecrets(4));
    await subject().handler(invocation(version, key));
    const replaced = await env.io.put(INPUT, key, jpegWithSecrets(5));

    // Act
    const response = (await subject().handler(invocation(version, key))) as BatchOperationsResponse;

    // Assess
    expect(response.results[0].resultCode).toBe('Succeeded');
    expect((await env.io.get(OUTPUT, key))?.metadata['sanitized-from-etag']).toBe(replaced.eTag);
  });

  it('answers PermanentFailure with the code for a rejected object, and again on a rerun without re-tagging', async () => {
    // Prepare
    const key = `v${version}/bad.png`;
    await env.io.put(INPUT, key, pngWithBadCrc());

    // Act
    const first = (await subject().handler(invocation(version, key))) as BatchOperationsResponse;
    const proxy = await FlakyProxy.start(env.stack.s3Port);
    const client = localS3Client(proxy.endpoint);
    let second: BatchOperationsResponse;
    try {
      second = (await subject({}, client).handler(invocation(version, key))) as BatchOperationsResponse;
    } finally {
      client.destroy();
      await proxy.close();
    }

    // Assess
    expect(first.results[0]).toMatchObject({ resultCode: 'PermanentFailure', resultString: 'CHECKSUM_MISMATCH' });
    expect(second.results[0]).toEqual(first.results[0]);
    expect(proxy.requests.filter((line) => line.startsWith('PUT '))).toEqual([]);
    expect(await env.io.exists(OUTPUT, key)).toBe(false);
  });

  it('answers PermanentFailure NOT_FOUND for a key the bucket no longer holds', async () => {
    const response = (await subject().handler(invocation(version, `v${version}/gone.jpg`))) as BatchOperationsResponse;
    expect(response.results[0]).toMatchObject({ resultCode: 'PermanentFailure', resultString: 'NOT_FOUND' });
  });

  it('answers TemporaryFailure when S3 is unavailable, so Batch Operations retries', async () => {
    // Prepare
    const key = `v${version}/busy.jpg`;
    await env.io.put(INPUT, key, jpegWithSecrets(6));
    const proxy = await FlakyProxy.start(env.stack.s3Port);
    proxy.mode = 'unavailable';
    const client = localS3Client(proxy.endpoint, { maxAttempts: 1 });

    try {
      // Act
      const response = (await subject({}, client).handler(invocation(version, key))) as BatchOperationsResponse;

      // Assess
      expect(response.results[0]).toMatchObject({ resultCode: 'TemporaryFailure', resultString: expect.stringMatching(/HTTP 503/) });
      expect(await env.io.exists(OUTPUT, key)).toBe(false);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });
});

describe('Batch Operations events: userArguments (2.0)', () => {
  it('force=true sanitizes again an object whose output is current', async () => {
    // Prepare
    const key = 'args/forced.jpg';
    await env.io.put(INPUT, key, jpegWithSecrets(7));
    await subject().handler(invocation('2.0', key));
    const { handler, metrics } = subject();

    // Act
    const response = (await handler(invocation('2.0', key, { force: 'true' }))) as BatchOperationsResponse;

    // Assess
    expect(response.results[0].resultString).toMatch(/^sanitized jpeg/);
    expect(metrics.get(METRIC.sanitized)).toBe(1);
  });

  it('refuses every task of a job with an unknown argument, touching nothing', async () => {
    // Prepare
    const key = 'args/typo.jpg';
    await env.io.put(INPUT, key, jpegWithSecrets(8));

    // Act
    const response = (await subject().handler(invocation('2.0', key, { froce: 'true' }))) as BatchOperationsResponse;

    // Assess
    expect(response.results[0]).toMatchObject({ resultCode: 'PermanentFailure', resultString: 'EVENT_INVALID: unknown userArguments froce' });
    expect(await env.io.exists(OUTPUT, key)).toBe(false);
  });
});
