// Operating the function: traces, correlated log lines and the malware gate, on a real s3rver.
import { describe, expect, it } from 'vitest';
import { MALWARE_SCAN_TAG, NO_THREATS_FOUND } from '../src/contract.js';
import { objectsFromMessage } from '../src/events.js';
import { createHandler } from '../src/handler.js';
import { MemoryLogger } from '../src/logger.js';
import { METRIC, MetricTotals } from '../src/metrics.js';
import type { PipelineTracer } from '../src/tracing.js';
import { getTestEvent, s3Notification, sqsEvent } from './helpers/events.js';
import { useHandlerStack } from './helpers/handler-stack.js';
import { jpegWithSecrets, secretsIn } from './helpers/images.js';

const INPUT = 'sanitizer-ops-input';
const OUTPUT = 'sanitizer-ops-output';
const env = useHandlerStack(INPUT, OUTPUT);

/** A tracer that writes down what it was asked to record, as a tree of spans with their annotations. */
class RecordingTracer implements PipelineTracer {
  readonly spans: Array<{ name: string; depth: number; annotations: Record<string, unknown> }> = [];
  private stack: Array<{ annotations: Record<string, unknown> }> = [];

  async span<T>(name: string, work: () => Promise<T>): Promise<T> {
    const span = { name, depth: this.stack.length, annotations: {} };
    this.spans.push(span);
    this.stack.push(span);
    try {
      return await work();
    } finally {
      this.stack.pop();
    }
  }

  annotate(key: string, value: string | number | boolean): void {
    const current = this.stack.at(-1);
    if (current) current.annotations[key] = value;
  }
}

function handlerWith(config: Partial<typeof env.config> = {}) {
  const logger = new MemoryLogger();
  const metrics = new MetricTotals();
  const tracer = new RecordingTracer();
  const handler = createHandler({ s3: env.s3, config: { ...env.config, ...config }, logger, metrics, tracer });
  return { handler, logger, metrics, tracer };
}

/** The GuardDuty scan-result fixture for `key` in the input bucket, with `status`. */
function scanResult(key: string, status: string, versionId?: string) {
  const event = getTestEvent('eventbridge-guardduty-scan-result');
  event.detail.s3ObjectDetails = { bucketName: INPUT, objectKey: key, ...(versionId ? { versionId } : {}) };
  event.detail.scanResultDetails.scanResultStatus = status;
  return event;
}

describe('tracing', () => {
  it('records a subsegment per object with read and stream inside, annotated with outcome, format and a key hash, never the key', async () => {
    // Prepare
    const key = 'people/passport-jane-doe.jpg';
    await env.io.put(INPUT, key, jpegWithSecrets());
    const { handler, tracer, logger } = handlerWith();

    // Act
    await handler(sqsEvent(s3Notification(INPUT, key)));

    // Assess
    expect(tracer.spans.map(({ name, depth }) => `${depth}:${name}`)).toEqual(['0:object', '1:read', '1:stream']);
    const [object] = tracer.spans;
    expect(object!.annotations).toEqual({ keyHash: expect.stringMatching(/^[0-9a-f]{16}$/), outcome: 'sanitized', format: 'jpeg' });
    expect(JSON.stringify(tracer.spans)).not.toContain('jane');
    // The log line carries the same hash beside the key: a trace leads to its log line.
    expect(logger.lines[0]).toMatchObject({ key, keyHash: object!.annotations.keyHash });
  });

  it('annotates a failure as failed', async () => {
    // Prepare: a bucket that does not exist (NoSuchBucket is a failure to retry; a missing key would be ignored)
    const { handler, tracer } = handlerWith({ inputBucket: 'sanitizer-ops-missing' });

    // Act
    const response = await handler(sqsEvent(s3Notification('sanitizer-ops-missing', 'x.jpg')));

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-0' }] });
    expect(tracer.spans[0]!.annotations.outcome).toBe('failed');
  });
});

describe('correlated logs', () => {
  it('every line carries the SQS message id, the S3 request id and sequencer, the key hash and the cold-start flag', async () => {
    // Prepare
    await env.io.put(INPUT, 'corr/one.jpg', jpegWithSecrets());
    await env.io.put(INPUT, 'corr/two.jpg', jpegWithSecrets());
    const { handler, logger } = handlerWith();
    const notification = (key: string) => {
      const event = s3Notification(INPUT, key);
      event.Records[0].responseElements = { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'irrelevant' };
      return event;
    };

    // Act
    await handler(sqsEvent(notification('corr/one.jpg'), 'not json'));
    await handler(sqsEvent(notification('corr/two.jpg')));

    // Assess
    expect(logger.lines).toEqual([
      expect.objectContaining({ key: 'corr/one.jpg', messageId: 'message-0', requestId: 'C3D13FE58DE4C810', sequencer: expect.any(String), keyHash: expect.any(String), coldStart: true }),
      expect.objectContaining({ level: 'error', messageId: 'message-1', coldStart: true }),
      expect.objectContaining({ key: 'corr/two.jpg', messageId: 'message-0', requestId: 'C3D13FE58DE4C810', coldStart: false }),
    ]);
  });
});

describe('malware gate', () => {
  it('reads GuardDuty scan results: a clean object by its plain key, any other result as no object', () => {
    // Act
    const clean = objectsFromMessage(getTestEvent('eventbridge-guardduty-scan-result'));
    const threat = objectsFromMessage(scanResult('a.jpg', 'THREATS_FOUND'));
    const unsupported = objectsFromMessage(scanResult('a.jpg', 'UNSUPPORTED'));

    // Assess
    expect(clean).toEqual([
      { bucket: 'genomics-platform-input-dev', key: 'scans/plate 7+8.png', eTag: 'b1946ac92492d2347c6235b4d2611184', versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e' },
    ]);
    expect(threat).toEqual([]);
    expect(unsupported).toEqual([]);
  });

  it('sanitizes an object GuardDuty tagged NO_THREATS_FOUND when its scan result arrives', async () => {
    // Prepare
    await env.io.put(INPUT, 'gate/clean 1+1.jpg', jpegWithSecrets(), { tags: { [MALWARE_SCAN_TAG]: NO_THREATS_FOUND } });
    const { handler, metrics } = handlerWith({ requireMalwareScan: true });

    // Act
    const response = await handler(sqsEvent(scanResult('gate/clean 1+1.jpg', NO_THREATS_FOUND)));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const output = await env.io.get(OUTPUT, 'gate/clean 1+1.jpg');
    expect(secretsIn(output!.bytes)).toEqual([]);
    expect(metrics.get(METRIC.sanitized)).toBe(1);
  });

  it('never publishes an object whose tag says a threat (or that has no scan tag), and leaves its tags as they are', async () => {
    // Prepare
    await env.io.put(INPUT, 'gate/threat.jpg', jpegWithSecrets(), { tags: { [MALWARE_SCAN_TAG]: 'THREATS_FOUND' } });
    await env.io.put(INPUT, 'gate/unscanned.jpg', jpegWithSecrets());
    const { handler, logger, metrics } = handlerWith({ requireMalwareScan: true });

    // Act: events that claim the objects are clean (a replay, a forged message, a backfill)
    const response = await handler(sqsEvent(scanResult('gate/threat.jpg', NO_THREATS_FOUND), s3Notification(INPUT, 'gate/unscanned.jpg')));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await env.io.exists(OUTPUT, 'gate/threat.jpg')).toBe(false);
    expect(await env.io.exists(OUTPUT, 'gate/unscanned.jpg')).toBe(false);
    expect(await env.io.tags(INPUT, 'gate/threat.jpg')).toEqual({ [MALWARE_SCAN_TAG]: 'THREATS_FOUND' });
    expect(await env.io.tags(INPUT, 'gate/unscanned.jpg')).toEqual({});
    expect(logger.lines.map((line) => line.reason)).toEqual(['NOT_SCANNED_CLEAN', 'NOT_SCANNED_CLEAN']);
    expect(metrics.get(METRIC.ignored)).toBe(2);
    expect(metrics.get(METRIC.sanitized)).toBe(0);
  });
});
