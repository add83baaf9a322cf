import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- event fixtures are free-form JSON

/** A Lambda event from tests/events/<name>.json (Powertools style). */
export function getTestEvent(name: string): Json {
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', 'events', `${name}.json`), 'utf8'));
}

/** The S3 notification fixture, pointed at a bucket and an (already URL-encoded) key. */
export function s3Notification(bucket: string, encodedKey: string, object: Record<string, unknown> = {}): Json {
  const event = getTestEvent('s3-notification');
  const record = event.Records[0];
  record.s3.bucket.name = bucket;
  record.s3.bucket.arn = `arn:aws:s3:::${bucket}`;
  record.s3.object = { key: encodedKey, sequencer: record.s3.object.sequencer, ...object };
  return event;
}

/** The EventBridge fixture, pointed at a bucket and an (already URL-encoded) key. */
export function eventBridgeEvent(bucket: string, encodedKey: string): Json {
  const event = getTestEvent('eventbridge-object-created');
  event.detail.bucket.name = bucket;
  event.detail.object = { key: encodedKey, sequencer: event.detail.object.sequencer };
  return event;
}

/** An SQS batch (from the SQS fixture's record) carrying the given message bodies. */
export function sqsEvent(...bodies: Array<string | object>): Json {
  const template = getTestEvent('sqs-s3-notification').Records[0];
  return {
    Records: bodies.map((body, index) => ({
      ...template,
      messageId: `message-${index}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })),
  };
}
