import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSBatchItemFailure, SQSBatchResponse } from './batch-response.js';
import type { PipelineConfig } from './config.js';
import { EventShapeError } from './errors.js';
import { classifyEvent, objectsFromQueueMessage, type IncomingEvent, type ObjectRef, type QueueMessage } from './events.js';
import type { PipelineLogger } from './logger.js';
import { recordObject, type PipelineMetrics } from './metrics.js';
import type { ObjectOutcome } from './outcome.js';
import { processObject } from './process-object.js';

export interface HandlerDeps {
  readonly s3: S3Client;
  readonly config: PipelineConfig;
  readonly logger: PipelineLogger;
  readonly metrics: PipelineMetrics;
}

/**
 * The Lambda handler. For an SQS batch it returns the messages to retry
 * (`batchItemFailures`, needs `ReportBatchItemFailures` on the event source
 * mapping); for a direct S3 or EventBridge event it throws when any object
 * failed, so Lambda's own retry applies.
 */
export type SanitizerHandler = (event: unknown, context?: unknown) => Promise<SQSBatchResponse | void>;

/** Build the handler around injected clients: the deployable one, the local pipeline and tests all use this. */
export function createHandler(deps: HandlerDeps): SanitizerHandler {
  return async (event, context) => {
    if (context !== undefined) deps.logger.addContext?.(context);
    try {
      let incoming: IncomingEvent;
      try {
        incoming = classifyEvent(event);
      } catch (error) {
        deps.logger.error('event not understood', errorAttributes(error));
        throw error;
      }
      if (incoming.source === 'sqs') return { batchItemFailures: await handleMessages(deps, incoming.messages) };
      const failures = await handleObjects(deps, incoming.objects);
      if (failures.length > 0) {
        throw new AggregateError(failures, `${failures.length} of ${incoming.objects.length} objects failed and should be retried`);
      }
    } finally {
      if (deps.metrics.hasStoredMetrics()) deps.metrics.publishStoredMetrics();
    }
  };
}

/**
 * Each message on its own: a message whose object failed for a transient
 * reason, or whose body cannot be read, is reported for retry (and ends in
 * the DLQ after `maxReceiveCount`); its neighbours are unaffected.
 */
async function handleMessages(deps: HandlerDeps, messages: readonly QueueMessage[]): Promise<SQSBatchItemFailure[]> {
  const failures: SQSBatchItemFailure[] = [];
  for (const message of messages) {
    let objects: ObjectRef[];
    try {
      objects = objectsFromQueueMessage(message.body);
    } catch (error) {
      if (!(error instanceof EventShapeError)) throw error;
      deps.logger.error('message not understood; left for the dead-letter queue', { messageId: message.messageId, ...errorAttributes(error) });
      failures.push({ itemIdentifier: message.messageId });
      continue;
    }
    if ((await handleObjects(deps, objects)).length > 0) failures.push({ itemIdentifier: message.messageId });
  }
  return failures;
}

/** Process objects one after another (memory stays at one object); return the errors. */
async function handleObjects(deps: HandlerDeps, objects: readonly ObjectRef[]): Promise<unknown[]> {
  const failures: unknown[] = [];
  for (const ref of objects) {
    try {
      await handleObject(deps, ref);
    } catch (error) {
      failures.push(error);
    }
  }
  return failures;
}

/** One object: process, then one log line and the metrics, whatever happened. */
async function handleObject(deps: HandlerDeps, ref: ObjectRef): Promise<ObjectOutcome> {
  const started = performance.now();
  const where = { bucket: ref.bucket, key: ref.key, ...(ref.size === undefined ? {} : { size: ref.size }) };
  try {
    const outcome = await processObject(deps, ref);
    const durationMs = Math.round(performance.now() - started);
    recordObject(deps.metrics, outcome, durationMs);
    logOutcome(deps.logger, where, outcome, durationMs);
    return outcome;
  } catch (error) {
    const durationMs = Math.round(performance.now() - started);
    recordObject(deps.metrics, 'failed', durationMs);
    deps.logger.error('object failed; will be retried', { ...where, outcome: 'failed', durationMs, ...errorAttributes(error) });
    throw error;
  }
}

function logOutcome(logger: PipelineLogger, where: Record<string, unknown>, outcome: ObjectOutcome, durationMs: number): void {
  switch (outcome.outcome) {
    case 'sanitized':
      logger.info('object sanitized', {
        ...where,
        outcome: outcome.outcome,
        format: outcome.format,
        size: outcome.bytesIn,
        sizeOut: outcome.bytesOut,
        removed: outcome.removed,
        kept: outcome.kept,
        durationMs,
      });
      return;
    case 'rejected':
      logger.warn(`object rejected; tagged in the input bucket, not published${outcome.withdrawn ? ', older output withdrawn' : ''}`, { ...where, ...outcome, durationMs });
      return;
    case 'deleted':
      logger.info('input removed; output deleted', { ...where, ...outcome, durationMs });
      return;
    case 'ignored':
      // Only an event from the wrong bucket is a wiring mistake worth a warning; the rest is routine.
      if (outcome.reason !== 'FOREIGN_BUCKET' && outcome.reason !== 'OUTPUT_BUCKET') logger.info('object ignored', { ...where, ...outcome, durationMs });
      else logger.warn('object ignored', { ...where, ...outcome, durationMs });
  }
}

/** What may be logged about an error: its name, code and status, never the object's content. */
function errorAttributes(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const { $metadata, code } = error as { $metadata?: { httpStatusCode?: number }; code?: unknown };
  return {
    errorName: error.name,
    errorMessage: error.message,
    ...(typeof code === 'string' ? { errorCode: code } : {}),
    ...($metadata?.httpStatusCode === undefined ? {} : { httpStatus: $metadata.httpStatusCode }),
  };
}
