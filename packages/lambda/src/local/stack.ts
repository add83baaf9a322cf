import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { encodeS3Key } from '../events.js';
import { localSqsClient, LOCAL_REGION } from './clients.js';
import { withMultipartAbort } from './multipart-abort.js';

export interface LocalStackOptions {
  readonly inputBucket: string;
  readonly outputBucket: string;
  /** 0 picks a free port. */
  readonly s3Port?: number;
  /** 0 picks a free port. */
  readonly sqsPort?: number;
  /** Where s3rver keeps objects. Default: a fresh temporary folder, removed on close. */
  readonly dataDir?: string;
  /** Receives before a message moves to the dead-letter queue. Default 3. */
  readonly maxReceiveCount?: number;
  /** Seconds a received message stays invisible before it is redelivered. Default 5. */
  readonly visibilityTimeoutSeconds?: number;
  readonly queueName?: string;
  /** Forward the input bucket's object-created events to the queue. Default true; false is a bucket as it was before the pipeline. */
  readonly notifications?: boolean;
}

export interface LocalStack {
  readonly s3Endpoint: string;
  readonly s3Port: number;
  readonly sqsEndpoint: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dataDir: string;
  readonly sqs: SQSClient;
  /** Resolves when every S3 event seen so far has been sent to the queue. */
  eventsForwarded(): Promise<void>;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Start the pipeline's infrastructure on loopback: s3rver with the two
 * buckets, fauxqs with the queue and its dead-letter queue, and the bucket
 * notification — every object created in or removed from the input bucket
 * becomes an AWS-shaped S3 notification on the queue (key URL-encoded, and a
 * sequencer that grows with every event, as S3 does). s3rver emits no event for
 * a multi-object delete (DeleteObjects); delete one object at a time here.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'image-sanitizer-s3-'));
  const queueName = options.queueName ?? 'image-sanitizer-queue';

  const sqsApp = buildApp({ logger: false });
  const sqsEndpoint = await sqsApp.listen({ port: options.sqsPort ?? 0, host: HOST });
  const sqs = localSqsClient(sqsEndpoint);
  const dlq = await createQueue(sqs, `${queueName}-dlq`, {});
  const queue = await createQueue(sqs, queueName, {
    VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 5),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: options.maxReceiveCount ?? 3 }),
  });

  const s3rver = new S3rver({
    silent: true,
    directory: dataDir,
    configureBuckets: [{ name: options.inputBucket }, { name: options.outputBucket }],
  });
  const pending = new Set<Promise<unknown>>();
  const sequencer = sequencerClock();
  s3rver.on('event', (event: S3rverEvent) => {
    if (options.notifications === false) return;
    const records = event.Records.filter((r) => r.s3.bucket.name === options.inputBucket && NOTIFIED_EVENTS.test(r.eventName));
    if (records.length === 0) return;
    const body = JSON.stringify({ Records: records.map((record) => asAwsRecord(record, sequencer())) });
    const sent = sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body })).catch((error: unknown) => {
      console.error(`local stack: could not queue the S3 event: ${String(error)}`);
    });
    pending.add(sent);
    void sent.finally(() => pending.delete(sent));
  });
  // s3rver's own run() leaves a listen error unhandled; serve its handler from a server of ours.
  const s3Server = createServer(withMultipartAbort(s3rver.callback(), dataDir));
  let s3Port: number;
  try {
    await s3rver.configureBuckets();
    s3Port = await listen(s3Server, options.s3Port ?? 0);
  } catch (error) {
    await sqsApp.close();
    sqs.destroy();
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }

  return {
    s3Endpoint: `http://${HOST}:${s3Port}`,
    s3Port,
    sqsEndpoint,
    queueUrl: queue.url,
    queueArn: queue.arn,
    dlqUrl: dlq.url,
    dataDir,
    sqs,
    async eventsForwarded() {
      await Promise.all([...pending]);
    },
    async close() {
      s3Server.closeAllConnections();
      await new Promise((resolve) => s3Server.close(resolve));
      await Promise.all([...pending]);
      await sqsApp.close();
      sqs.destroy();
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  if (!QueueUrl || !Attributes?.QueueArn) throw new Error(`fauxqs did not create queue ${name}`);
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

/** The part of s3rver's event this harness reads. */
interface S3rverRecord {
  eventName: string;
  s3: { bucket: { name: string; arn?: string }; object: { key: string } & Record<string, unknown> };
  [field: string]: unknown;
}
interface S3rverEvent {
  Records: S3rverRecord[];
}

/** The events the deployed bucket notification sends (`s3:ObjectCreated:*`, `s3:ObjectRemoved:*`). */
const NOTIFIED_EVENTS = /^Object(Created|Removed):/;

/**
 * S3 event sequencers: hex strings that grow with every event of a key. s3rver's own is
 * the time in milliseconds, equal for two events in the same millisecond; this one is the
 * time in microseconds, and always at least one more than the last.
 */
function sequencerClock(): () => string {
  let last = 0;
  return () => {
    last = Math.max(Date.now() * 1000, last + 1);
    return last.toString(16).toUpperCase();
  };
}

/** s3rver sends raw keys, a malformed ARN and a millisecond sequencer; S3 URL-encodes keys. */
function asAwsRecord(record: S3rverRecord, sequencer: string): S3rverRecord {
  return {
    ...record,
    awsRegion: LOCAL_REGION,
    s3: {
      ...record.s3,
      bucket: { ...record.s3.bucket, arn: `arn:aws:s3:::${record.s3.bucket.name}` },
      object: { ...record.s3.object, key: encodeS3Key(record.s3.object.key), sequencer },
    },
  };
}
