import { NO_THREATS_FOUND, SCAN_RESULT_DETAIL_TYPE } from './contract.js';
import { EventShapeError } from './errors.js';

/** One object an event asks the pipeline to sanitize. `key` is decoded, ready for the S3 API. */
export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
  /** Size the event reports; the object itself is checked again when it is read. */
  readonly size?: number;
  readonly eTag?: string;
  readonly versionId?: string;
  /** The event says the object was removed (a delete or a delete marker), not created. */
  readonly removed?: boolean;
  /**
   * The event's `sequencer`: for one key, a later event has a greater one (hex strings,
   * compared after left-padding to equal length; see `compareSequencers`).
   */
  readonly sequencer?: string;
  /** The S3 request id of the upload or delete (S3 notifications and EventBridge S3 events), for correlated logs. */
  readonly requestId?: string;
}

/** One SQS message: its id (for `batchItemFailures`) and its raw body. */
export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
}

/** The three ways the handler is invoked. */
export type IncomingEvent =
  | { readonly source: 'sqs'; readonly messages: readonly QueueMessage[] }
  | { readonly source: 's3' | 'eventbridge' | 'test'; readonly objects: readonly ObjectRef[] };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Decode an object key the way S3 encodes it in notifications: `+` stands for
 * a space, everything else is percent-encoded UTF-8. (So a literal `+` arrives
 * as `%2B` and a literal `%` as `%25`.)
 */
export function decodeS3Key(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    throw new EventShapeError(`Object key is not valid URL encoding: ${JSON.stringify(encoded.slice(0, 200))}`);
  }
}

/** The inverse of `decodeS3Key`: how S3 writes a key into a notification (form encoding, `/` kept). */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Tell an SQS batch, a direct S3 notification and an EventBridge event apart. */
export function classifyEvent(event: unknown): IncomingEvent {
  if (isObject(event) && Array.isArray(event.Records) && event.Records.length > 0 && isObject(event.Records[0])) {
    if (event.Records[0].eventSource === 'aws:sqs') {
      return { source: 'sqs', messages: event.Records.map(queueMessage) };
    }
    return { source: 's3', objects: objectsFromMessage(event) };
  }
  if (isObject(event) && event.Event === 's3:TestEvent') return { source: 'test', objects: [] };
  if (isObject(event) && typeof event['detail-type'] === 'string') {
    return { source: 'eventbridge', objects: objectsFromMessage(event) };
  }
  throw new EventShapeError('Event is neither an SQS batch, an S3 notification nor an EventBridge S3 event');
}

function queueMessage(record: unknown): QueueMessage {
  if (!isObject(record) || typeof record.messageId !== 'string' || typeof record.body !== 'string') {
    throw new EventShapeError('SQS record without a messageId and a body');
  }
  return { messageId: record.messageId, body: record.body };
}

/** The objects in the body of one SQS message (an S3 notification or an EventBridge event, as JSON). */
export function objectsFromQueueMessage(body: string): ObjectRef[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new EventShapeError('SQS message body is not JSON');
  }
  return objectsFromMessage(parsed);
}

/**
 * The created and removed objects a notification names. `s3:TestEvent` (sent
 * when a notification is configured) and other events (restore, tagging, ...) name none.
 */
export function objectsFromMessage(message: unknown): ObjectRef[] {
  if (!isObject(message)) throw new EventShapeError('Notification is not a JSON object');
  if (message.Event === 's3:TestEvent') return [];
  if (Array.isArray(message.Records)) return message.Records.flatMap(objectFromRecord);
  if (typeof message['detail-type'] === 'string') return objectFromEventBridge(message);
  throw new EventShapeError('Notification has neither S3 Records nor an EventBridge detail');
}

function objectFromRecord(record: unknown): ObjectRef[] {
  if (!isObject(record) || typeof record.eventName !== 'string') throw new EventShapeError('S3 record without an eventName');
  const removed = record.eventName.startsWith('ObjectRemoved:');
  if (!removed && !record.eventName.startsWith('ObjectCreated:')) return [];
  const s3 = isObject(record.s3) ? record.s3 : {};
  const bucket = isObject(s3.bucket) ? s3.bucket.name : undefined;
  const object = isObject(s3.object) ? s3.object : {};
  const response = isObject(record.responseElements) ? record.responseElements : {};
  return [
    {
      ...objectRef(bucket, object.key, object.size, object.eTag, object.versionId),
      ...change(removed, object.sequencer),
      ...requestId(response['x-amz-request-id']),
    },
  ];
}

function objectFromEventBridge(event: Json): ObjectRef[] {
  if (event.source === 'aws.guardduty' && event['detail-type'] === SCAN_RESULT_DETAIL_TYPE) return objectFromScanResult(event);
  const removed = event['detail-type'] === 'Object Deleted';
  if (event.source !== 'aws.s3' || (!removed && event['detail-type'] !== 'Object Created')) return [];
  const detail = isObject(event.detail) ? event.detail : {};
  const bucket = isObject(detail.bucket) ? detail.bucket.name : undefined;
  const object = isObject(detail.object) ? detail.object : {};
  return [
    {
      ...objectRef(bucket, object.key, object.size, object.etag, object['version-id']),
      ...change(removed, object.sequencer),
      ...requestId(detail['request-id']),
    },
  ];
}

/**
 * GuardDuty Malware Protection for S3's scan result (the malware gate): an object it found clean
 * is sanitized like an upload; any other result names no object (the queue's rule passes only
 * clean results; this holds even if it did not). GuardDuty writes `objectKey` as the key itself,
 * not form-encoded like S3 notifications (believed from its documented examples; an object not
 * found under the key is ignored, never published).
 */
function objectFromScanResult(event: Json): ObjectRef[] {
  const detail = isObject(event.detail) ? event.detail : {};
  const result = isObject(detail.scanResultDetails) ? detail.scanResultDetails.scanResultStatus : undefined;
  if (detail.scanStatus !== 'COMPLETED' || result !== NO_THREATS_FOUND) return [];
  const object = isObject(detail.s3ObjectDetails) ? detail.s3ObjectDetails : {};
  return [objectRef(object.bucketName, object.objectKey, undefined, object.eTag, object.versionId, false)];
}

function requestId(value: unknown): Pick<ObjectRef, 'requestId'> {
  return typeof value === 'string' && /^[A-Za-z0-9+/=-]{1,128}$/.test(value) ? { requestId: value } : {};
}

/** The fields that say what happened to the object, and in which order. */
function change(removed: boolean, sequencer: unknown): Pick<ObjectRef, 'removed' | 'sequencer'> {
  return {
    ...(removed ? { removed: true } : {}),
    ...(typeof sequencer === 'string' && /^[0-9A-Fa-f]{1,64}$/.test(sequencer) ? { sequencer } : {}),
  };
}

function objectRef(bucket: unknown, key: unknown, size: unknown, eTag: unknown, versionId: unknown, encoded = true): ObjectRef {
  if (typeof bucket !== 'string' || bucket === '') throw new EventShapeError('S3 event without a bucket name');
  if (typeof key !== 'string' || key === '') throw new EventShapeError('S3 event without an object key');
  return {
    bucket,
    key: encoded ? decodeS3Key(key) : key,
    ...(typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? { size } : {}),
    ...(typeof eTag === 'string' && eTag !== '' ? { eTag } : {}),
    ...(typeof versionId === 'string' && versionId !== '' ? { versionId } : {}),
  };
}
