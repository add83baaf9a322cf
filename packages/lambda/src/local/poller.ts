import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SanitizerHandler } from '../handler.js';
import { LOCAL_REGION } from './clients.js';

export interface PollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly handler: SanitizerHandler;
  /** Messages per handler invocation (the event source mapping's batch size). Default 10. */
  readonly batchSize?: number;
  /** Parallel receive loops, like concurrent Lambda invocations. Default 2. */
  readonly concurrency?: number;
  /** Long-poll wait. Default 1 s. */
  readonly waitTimeSeconds?: number;
  /** Called when a receive or delete fails (the loop keeps going). */
  readonly onError?: (error: unknown) => void;
}

export interface Poller {
  /** Stop receiving; resolves when the batches in hand are handled. */
  stop(): Promise<void>;
}

/**
 * What Lambda's SQS event source mapping does, on loopback: receive a batch,
 * hand it to the handler as an SQS event, delete the messages that succeeded
 * and leave the `batchItemFailures` to become visible again (and, after
 * `maxReceiveCount` receives, move to the dead-letter queue).
 */
export function startPoller(options: PollerOptions): Poller {
  const abort = new AbortController();
  const loops = Array.from({ length: options.concurrency ?? 2 }, () => pollLoop(options, abort.signal));
  return {
    async stop() {
      abort.abort();
      await Promise.all(loops);
    },
  };
}

async function pollLoop(options: PollerOptions, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    let messages: Message[];
    try {
      const received = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: options.batchSize ?? 10,
          WaitTimeSeconds: options.waitTimeSeconds ?? 1,
          MessageSystemAttributeNames: ['All'],
        }),
        { abortSignal: signal },
      );
      messages = received.Messages ?? [];
    } catch (error) {
      if (signal.aborted) return;
      options.onError?.(error);
      await sleep(250);
      continue;
    }
    if (messages.length > 0) await handleBatch(options, messages);
  }
}

async function handleBatch(options: PollerOptions, messages: Message[]): Promise<void> {
  const event: SQSEvent = { Records: messages.map((message) => asSqsRecord(message, options.queueArn)) };
  let failed: Set<string>;
  try {
    const response = await options.handler(event);
    failed = new Set(((response as SQSBatchResponse | undefined)?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
  } catch (error) {
    options.onError?.(error);
    return; // Lambda treats a thrown batch as all failed: every message is redelivered.
  }
  const done = messages.filter((message) => !failed.has(message.MessageId ?? ''));
  if (done.length === 0) return;
  try {
    await options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  } catch (error) {
    options.onError?.(error); // Undeleted messages come back; the handler is idempotent.
  }
}

function asSqsRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: LOCAL_REGION,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
