import type { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * What the handler needs from a tracer. Powertools `Tracer` (X-Ray) is one, through
 * {@link xrayTracer}; tests and the local pipeline use {@link NO_TRACING}.
 *
 * What a trace carries about an object: its outcome, format and sizes as annotations, and
 * `keyHash` — the first 16 hex digits of SHA-256 over `bucket/key` — instead of the key.
 * Object keys may name people ("passport-jane-doe.jpg"), and X-Ray annotations are indexed and
 * readable by anyone with X-Ray read access; the log line of the same object carries the
 * same `keyHash` beside the key, so a trace leads to its log line in the (restricted) log group.
 * The object's bytes never reach a trace.
 */
export interface PipelineTracer {
  /** Run `work` inside a subsegment named `name` (closed when `work` settles, marked as failed when it throws). */
  span<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** An indexed annotation on the current subsegment. */
  annotate(key: string, value: string | number | boolean): void;
}

/** A tracer that records nothing. */
export const NO_TRACING: PipelineTracer = {
  span: (_name, work) => work(),
  annotate: () => undefined,
};

/**
 * Subsegments through Powertools `Tracer`. With tracing disabled (POWERTOOLS_TRACE_ENABLED=false,
 * or outside Lambda) Powertools hands out a dummy segment, so every call is harmless.
 */
export function xrayTracer(tracer: Tracer): PipelineTracer {
  return {
    async span(name, work) {
      const parent = tracer.getSegment();
      if (parent === undefined) return work();
      const subsegment = parent.addNewSubsegment(`### ${name}`);
      tracer.setSegment(subsegment);
      try {
        return await work();
      } catch (error) {
        subsegment.addError(error instanceof Error ? error : new Error(String(error)));
        throw error;
      } finally {
        subsegment.close();
        tracer.setSegment(parent);
      }
    },
    annotate(key, value) {
      tracer.putAnnotation(key, value);
    },
  };
}

/** The S3 operations the function sends (lib-storage's multipart upload included). */
const S3_OPERATIONS = [
  'getObject',
  'headObject',
  'putObject',
  'deleteObject',
  'getObjectTagging',
  'putObjectTagging',
  'createMultipartUpload',
  'uploadPart',
  'completeMultipartUpload',
  'abortMultipartUpload',
] as const;

/**
 * What the X-Ray SDK records of each request of the captured S3 client besides its operation,
 * region, status and request id (its "AWS whitelist", set with `setAWSWhitelist`): the bucket only.
 * The SDK's own list also records the request's `Key` on every object operation, which would put
 * the object key in clear into each trace; an operation missing here records no parameters at all.
 */
export const S3_TRACE_WHITELIST = {
  services: {
    s3: {
      operations: Object.fromEntries(S3_OPERATIONS.map((operation) => [operation, { request_descriptors: { Bucket: { rename_to: 'bucket_name' } } }])),
    },
  },
};

/** `bucket/key` as the first 16 hex digits of its SHA-256: correlates a trace with its log line without naming the object. */
export async function keyHash(bucket: string, key: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${bucket}/${key}`));
  return Array.from(new Uint8Array(digest, 0, 8), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
