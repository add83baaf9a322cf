import type { S3Client } from '@aws-sdk/client-s3';
import { answerBatchOperations, isBatchOperationsEvent, type BatchOperationsResponse } from './batch-operations.js';
import type { SQSBatchItemFailure, SQSBatchResponse } from './batch-response.js';
import type { PipelineConfig } from './config.js';
import { EventShapeError } from './errors.js';
import { classifyEvent, objectsFromQueueMessage, type IncomingEvent, type ObjectRef, type QueueMessage } from './events.js';
import type { PipelineLogger } from './logger.js';
import { recordObject, type PipelineMetrics } from './metrics.js';
import type { ObjectOutcome } from './outcome.js';
import { processObject } from './process-object.js';
import { keyHash, NO_TRACING, type PipelineTracer } from './tracing.js';

export interface HandlerDeps {
  readonly s3: S3Client;
  readonly config: PipelineConfig;
  readonly logger: PipelineLogger;
  readonly metrics: PipelineMetrics;
  /** X-Ray subsegments and annotations. Default: none. */
  readonly tracer?: PipelineTracer;
}

/**
 * The Lambda handler. For an SQS batch it returns the messages to retry
 * (`batchItemFailures`, needs `ReportBatchItemFailures` on the event source
 * mapping); for an S3 Batch Operations invocation, a result per task; for a
 * direct S3 or EventBridge event it throws when any object failed, so
 * Lambda's own retry applies.
 */
export type SanitizerHandler = (event: unknown, context?: unknown) => Promise<SQSBatchResponse | BatchOperationsResponse | void>;

/** Build the handler around injected clients: the deployable one, the local pipeline and tests all use this. */
export function createHandler(deps: HandlerDeps): SanitizerHandler {
  let invocations = 0;
  return async (event, context) => {
    if (context !== undefined) deps.logger.addContext?.(context);
    // One handler per execution environment: its first invocation is the cold start.
    const invocation: Correlation = { coldStart: invocations++ === 0 };
    try {
      if (isBatchOperationsEvent(event)) return await answerBatchOperations(deps, event, (ref) => handleObject(deps, ref, invocation));
      let incoming: IncomingEvent;
      try {
        incoming = classifyEvent(event);
      } catch (error) {
        deps.logger.error('event not understood', { ...invocation, ...errorAttributes(error) });
        throw error;
      }
      if (incoming.source === 'sqs') return { batchItemFailures: await handleMessages(deps, incoming.messages, invocation) };
      const failures = await handleObjects(deps, incoming.objects, invocation);
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
async function handleMessages(deps: HandlerDeps, messages: readonly QueueMessage[], invocation: Correlation): Promise<SQSBatchItemFailure[]> {
  const failures: SQSBatchItemFailure[] = [];
  for (const message of messages) {
    const correlation = { ...invocation, messageId: message.messageId };
    let objects: ObjectRef[];
    try {
      objects = objectsFromQueueMessage(message.body);
    } catch (error) {
      if (!(error instanceof EventShapeError)) throw error;
      deps.logger.error('message not understood; left for the dead-letter queue', { ...correlation, ...errorAttributes(error) });
      failures.push({ itemIdentifier: message.messageId });
      continue;
    }
    if ((await handleObjects(deps, objects, correlation)).length > 0) failures.push({ itemIdentifier: message.messageId });
  }
  return failures;
}

/**
 * What every log line of one object carries to find its neighbours: the SQS message, the S3
 * request and event sequencer, whether this was the environment's cold start, and `keyHash`,
 * the object's name as its traces know it (see tracing.ts).
 */
interface Correlation {
  readonly coldStart: boolean;
  readonly messageId?: string;
}

/** Process objects one after another (memory stays at one object); return the errors. */
async function handleObjects(deps: HandlerDeps, objects: readonly ObjectRef[], correlation: Correlation): Promise<unknown[]> {
  const failures: unknown[] = [];
  for (const ref of objects) {
    try {
      await handleObject(deps, ref, correlation);
    } catch (error) {
      failures.push(error);
    }
  }
  return failures;
}

/** One object: process, then one log line and the metrics, whatever happened. */
async function handleObject(deps: HandlerDeps, ref: ObjectRef, correlation: Correlation): Promise<ObjectOutcome> {
  const tracer = deps.tracer ?? NO_TRACING;
  const started = performance.now();
  const hash = await keyHash(ref.bucket, ref.key);
  const where = {
    ...correlation,
    ...(ref.requestId === undefined ? {} : { requestId: ref.requestId }),
    ...(ref.sequencer === undefined ? {} : { sequencer: ref.sequencer }),
    bucket: ref.bucket,
    key: ref.key,
    keyHash: hash,
    ...(ref.size === undefined ? {} : { size: ref.size }),
  };
  return tracer.span('object', async () => {
    tracer.annotate('keyHash', hash);
    try {
      const outcome = await processObject({ ...deps, tracer }, ref);
      const durationMs = Math.round(performance.now() - started);
      tracer.annotate('outcome', outcome.outcome);
      if ('format' in outcome && outcome.format !== undefined) tracer.annotate('format', outcome.format);
      recordObject(deps.metrics, outcome, durationMs);
      logOutcome(deps.logger, where, outcome, durationMs);
      return outcome;
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      tracer.annotate('outcome', 'failed');
      recordObject(deps.metrics, 'failed', durationMs);
      deps.logger.error('object failed; will be retried', { ...where, outcome: 'failed', durationMs, ...errorAttributes(error) });
      throw error;
    }
  });
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
