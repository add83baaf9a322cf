import { describe, expect, it } from 'vitest';
import { EventShapeError } from '../src/errors.js';
import { classifyEvent, decodeS3Key, encodeS3Key, objectsFromQueueMessage } from '../src/events.js';
import { getTestEvent } from './helpers/events.js';

describe('decodeS3Key', () => {
  // Keys as S3 writes them into notifications: form encoding, `+` for a space.
  it.each([
    ['red+flower.jpg', 'red flower.jpg'],
    ['c%2B%2B+notes%2B1.jpg', 'c++ notes+1.jpg'],
    ['100%25+real.jpg', '100% real.jpg'],
    ['caf%C3%A9/na%C3%AFve+%E6%9D%B1%E4%BA%AC.jpg', 'café/naïve 東京.jpg'],
    ['a%2Fb/c%3Ad.jpg', 'a/b/c:d.jpg'],
    ['plain/key.png', 'plain/key.png'],
  ])('decodes %s to %s', (encoded, key) => {
    // Act & Assess
    expect(decodeS3Key(encoded)).toBe(key);
  });

  it('round-trips through encodeS3Key for awkward keys', () => {
    // Prepare
    const keys = ['a b+c%d é.jpg', ' leading and trailing ', "odd (1) [x] ~!*'.jpg", 'emoji 📷/日本.png', '%2B literal.jpg'];

    // Act & Assess
    for (const key of keys) {
      expect(encodeS3Key(key)).not.toContain(' ');
      expect(decodeS3Key(encodeS3Key(key))).toBe(key);
    }
  });

  it('refuses a key that is not valid percent-encoding', () => {
    // Act & Assess
    expect(() => decodeS3Key('bad%E0%A4%A.jpg')).toThrow(EventShapeError);
  });
});

describe('classifyEvent', () => {
  it('reads an SQS batch whose bodies are S3 notifications (the deployed shape)', () => {
    // Prepare
    const event = getTestEvent('sqs-s3-notification');

    // Act
    const incoming = classifyEvent(event);

    // Assess
    expect(incoming.source).toBe('sqs');
    if (incoming.source !== 'sqs') return;
    expect(incoming.messages).toHaveLength(1);
    expect(incoming.messages[0].messageId).toBe('2e1424d4-f796-459a-8184-9c92662be6da');
    expect(objectsFromQueueMessage(incoming.messages[0].body)).toEqual([
      { bucket: 'genomics-platform-input-dev', key: 'photos/red flower.jpg', size: 1024, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '0055AED6DCD90281E5', requestId: 'C3D13FE58DE4C810' },
    ]);
  });

  it('reads a direct S3 notification', () => {
    // Act
    const incoming = classifyEvent(getTestEvent('s3-notification'));

    // Assess
    expect(incoming).toEqual({
      source: 's3',
      objects: [
        {
          bucket: 'genomics-platform-input-dev',
          key: 'photos/café menu (2).jpg',
          size: 2048,
          eTag: '0123456789abcdef0123456789abcdef',
          versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
          sequencer: '0055AED6DCD90281E6',
          requestId: 'C3D13FE58DE4C810',
        },
      ],
    });
  });

  it('reads an EventBridge "Object Created" event', () => {
    // Act
    const incoming = classifyEvent(getTestEvent('eventbridge-object-created'));

    // Assess
    expect(incoming).toEqual({
      source: 'eventbridge',
      objects: [
        {
          bucket: 'genomics-platform-input-dev',
          key: 'scans/plate 7+8.png',
          size: 5576,
          eTag: 'b1946ac92492d2347c6235b4d2611184',
          versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
          sequencer: '00617F08299329D189',
          requestId: 'N4N7GDK58NMKJ12R',
        },
      ],
    });
  });

  it('names no object for s3:TestEvent, direct or inside an SQS message', () => {
    // Prepare
    const inQueue = getTestEvent('sqs-s3-test-event');

    // Act
    const direct = classifyEvent(getTestEvent('s3-test-event'));
    const queued = classifyEvent(inQueue);

    // Assess
    expect(direct).toEqual({ source: 'test', objects: [] });
    expect(queued.source).toBe('sqs');
    expect(objectsFromQueueMessage(inQueue.Records[0].body)).toEqual([]);
  });

  it('reads a removal, with its sequencer', () => {
    // Act & Assess
    expect(classifyEvent(getTestEvent('s3-object-removed'))).toEqual({
      source: 's3',
      objects: [{ bucket: 'genomics-platform-input-dev', key: 'photos/old.jpg', removed: true, sequencer: '0055AED6DCD90281E7', requestId: 'C3D13FE58DE4C811' }],
    });
  });

  it('reads an EventBridge "Object Deleted" event as a removal', () => {
    // Prepare
    const event = getTestEvent('eventbridge-object-created');
    event['detail-type'] = 'Object Deleted';

    // Act
    const incoming = classifyEvent(event);

    // Assess
    expect(incoming.source).toBe('eventbridge');
    if (incoming.source === 'sqs') return;
    expect(incoming.objects).toEqual([expect.objectContaining({ key: 'scans/plate 7+8.png', removed: true, sequencer: '00617F08299329D189' })]);
  });

  it.each(['ObjectRestore:Completed', 'ObjectTagging:Put', 'LifecycleTransition'])('names no object for a %s record', (eventName) => {
    // Prepare
    const event = getTestEvent('s3-object-removed');
    event.Records[0].eventName = eventName;

    // Act & Assess
    expect(classifyEvent(event)).toEqual({ source: 's3', objects: [] });
  });

  it('names no object for an EventBridge event that is neither a creation nor a deletion', () => {
    // Prepare
    const event = getTestEvent('eventbridge-object-created');
    event['detail-type'] = 'Object Restore Completed';

    // Act & Assess
    expect(classifyEvent(event)).toEqual({ source: 'eventbridge', objects: [] });
  });

  it('drops a sequencer that is not a hex string', () => {
    // Prepare
    const event = getTestEvent('s3-object-removed');
    event.Records[0].s3.object.sequencer = '12 34';

    // Act
    const incoming = classifyEvent(event);

    // Assess
    expect(incoming.source === 'sqs' ? [] : incoming.objects[0].sequencer).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"Records": ['],
    ['JSON without records', '{"hello": "world"}'],
    ['a record without a bucket', '{"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":{"key":"a.jpg"}}}]}'],
    ['a record without a key', '{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{}}}]}'],
  ])('refuses an SQS body that is %s', (_what, body) => {
    // Act & Assess
    expect(() => objectsFromQueueMessage(body)).toThrow(EventShapeError);
  });

  it('refuses an event of no known shape', () => {
    // Act & Assess
    expect(() => classifyEvent({ hello: 'world' })).toThrow(EventShapeError);
    expect(() => classifyEvent(null)).toThrow(EventShapeError);
  });
});
