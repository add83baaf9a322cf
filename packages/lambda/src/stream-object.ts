import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { detectFormat, MIME_TYPES, SanitizeStream } from '@image-sanitizer/core';
import type { ImageFormat, SanitizeOptions, SanitizeReport } from '@image-sanitizer/core';
import { ObjectTooLargeError, TruncatedBodyError } from './errors.js';
import type { ObjectSource } from './s3.js';

/**
 * Formats `SanitizeStream` holds whole while it sanitizes them (the RIFF size,
 * the boxes and the IFDs point anywhere): only these are capped by
 * `MAX_OBJECT_BYTES`. JPEG, PNG/APNG and GIF stream through in bounded memory,
 * so only the function's timeout bounds their size.
 */
export const BUFFERED_FORMATS: readonly ImageFormat[] = ['webp', 'heic', 'avif', 'tiff'];

/**
 * Sanitized output up to this size is written with one PutObject, carrying
 * the whole report; larger output goes up as a multipart upload. 16 MiB: more
 * than a phone's photo, and held in memory only while it is being decided.
 */
export const SINGLE_PUT_MAX_BYTES = 16 * 1024 * 1024;
/** Part size of the multipart upload: S3's minimum (5 MiB), the least memory per part. */
export const PART_BYTES = 5 * 1024 * 1024;
/**
 * Parts uploaded at once. One: each part in flight costs PART_BYTES more
 * memory (measured by scripts/bench-handler.mjs) and the core, not the
 * upload, bounds the throughput.
 */
const UPLOAD_QUEUE = 1;
/** Enough of the body to detect the format (an ISO-BMFF `ftyp` box with its brand list included). */
const SNIFF_BYTES = 4096;

/** What the core reports once the whole stream has been sanitized. */
export type StreamReport = SanitizeReport;

export interface OutputTarget {
  readonly bucket: string;
  readonly key: string;
  /** User metadata known before the output is complete (fixed when a multipart upload is created). */
  readonly metadata: (format: ImageFormat) => Record<string, string>;
  /** User metadata from the report, written only on a single-PutObject output (see the README, "Streaming"). */
  readonly reportMetadata: (report: StreamReport) => Record<string, string>;
  /** Conditional-write fields (ordering.ts), sent with the PutObject or the CompleteMultipartUpload. */
  readonly condition?: { readonly IfMatch?: string; readonly IfNoneMatch?: string };
  /** Runs after the core accepted the last byte and before the output becomes visible; throwing aborts the write. */
  readonly beforeCommit?: () => Promise<void>;
}

export interface StreamLimits {
  /** The cap on the buffered formats, in bytes. */
  readonly maxBufferedBytes: number;
  readonly sanitize: SanitizeOptions;
}

export interface StreamedObject extends StreamReport {
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** True when the output went up as a multipart upload (and so carries no report metadata). */
  readonly multipart: boolean;
}

/**
 * Stream one object S3 → SanitizeStream → S3, fail closed: the output is
 * written (PutObject) or completed (CompleteMultipartUpload) only after the
 * core has accepted the last byte; on any error a multipart upload is aborted
 * and nothing becomes visible. Throws the core's `SanitizeError` (reject),
 * `ObjectTooLargeError` (reject), `TruncatedBodyError` or an S3 error (retry).
 */
export async function streamObject(s3: S3Client, source: ObjectSource, target: OutputTarget, limits: StreamLimits): Promise<StreamedObject> {
  const input = source.body[Symbol.asyncIterator]();
  const head = await readHead(source, input);
  const format = detectFormat(head.bytes);
  const cap = format !== undefined && BUFFERED_FORMATS.includes(format) ? limits.maxBufferedBytes : Number.POSITIVE_INFINITY;
  if (source.contentLength !== undefined && source.contentLength > cap) {
    source.destroy();
    throw new ObjectTooLargeError(cap, source.contentLength);
  }

  const sanitizer = new SanitizeStream(limits.sanitize);
  sanitizer.result.catch(() => {}); // a failed stream also errors its readable side, where it is handled
  const [fed, written] = await Promise.allSettled([
    feed(source, head, input, sanitizer.writable, cap),
    write(s3, target, format, sanitizer),
  ]);
  // The input side first: a cut body or a cap surfaces there and errors the output side with the same reason.
  if (fed.status === 'rejected') throw fed.reason;
  if (written.status === 'rejected') throw written.reason;
  const report = await sanitizer.result;
  return { ...report, bytesIn: fed.value, bytesOut: written.value.bytesOut, multipart: written.value.multipart };
}

interface Head {
  readonly bytes: Uint8Array;
  /** The body ended within the head. */
  readonly done: boolean;
}

/** The first SNIFF_BYTES (or the whole body, if shorter). */
async function readHead(source: ObjectSource, input: AsyncIterator<Uint8Array>): Promise<Head> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    while (length < SNIFF_BYTES) {
      const next = await input.next();
      if (next.done) return { bytes: concat(chunks, length), done: true };
      chunks.push(next.value);
      length += next.value.length;
    }
  } catch (error) {
    source.destroy();
    throw error;
  }
  return { bytes: concat(chunks, length), done: false };
}

/**
 * Write the body into the sanitizer, counting. The count is compared with
 * Content-Length before the sanitizer is told the input has ended: a cut read
 * is a retry (`TruncatedBodyError`), never a truncated image to reject.
 */
async function feed(source: ObjectSource, head: Head, input: AsyncIterator<Uint8Array>, writable: WritableStream<Uint8Array>, cap: number): Promise<number> {
  const writer = writable.getWriter();
  let bytesIn = 0;
  try {
    let chunk: Uint8Array | undefined = head.bytes;
    let done = head.done;
    while (chunk !== undefined) {
      bytesIn += chunk.length;
      if (bytesIn > cap) throw new ObjectTooLargeError(cap);
      if (chunk.length > 0) await writer.write(chunk);
      chunk = undefined;
      if (!done) {
        const next = await input.next();
        if (next.done) done = true;
        else chunk = next.value;
      }
    }
    if (source.contentLength !== undefined && bytesIn !== source.contentLength) throw new TruncatedBodyError(source.contentLength, bytesIn);
    await writer.close();
    return bytesIn;
  } catch (error) {
    source.destroy();
    await writer.abort(error).catch(() => {});
    throw error;
  }
}

/**
 * Read the sanitized output. If it ends within SINGLE_PUT_MAX_BYTES, write
 * it with one PutObject carrying the whole report. Otherwise start a multipart upload
 * (metadata known up front) and hand it the rest; the upload's body ends only
 * once the core's result has settled, so CompleteMultipartUpload is never
 * sent for an output the core has not finished; any error aborts the upload.
 */
async function write(
  s3: S3Client,
  target: OutputTarget,
  format: ImageFormat | undefined,
  sanitizer: SanitizeStream,
): Promise<{ bytesOut: number; multipart: boolean }> {
  const reader = sanitizer.readable.getReader();
  let failed = false;
  try {
    const first: Uint8Array[] = [];
    let bytesOut = 0;
    let ended = false;
    while (bytesOut <= SINGLE_PUT_MAX_BYTES) {
      const next = await reader.read();
      if (next.done) {
        ended = true;
        break;
      }
      first.push(next.value);
      bytesOut += next.value.length;
    }

    if (ended) {
      const report = await sanitizer.result;
      await target.beforeCommit?.();
      await s3.send(
        new PutObjectCommand({
          Bucket: target.bucket,
          Key: target.key,
          Body: concat(first, bytesOut),
          ContentLength: bytesOut,
          ContentType: MIME_TYPES[report.format],
          Metadata: { ...target.metadata(report.format), ...target.reportMetadata(report) },
          ...target.condition,
        }),
      );
      return { bytesOut, multipart: false };
    }

    // More than one part of output came from input whose head named no format: cannot happen, refuse rather than guess.
    if (format === undefined) throw new Error('sanitized output started before its format was known');
    const body = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          for (const chunk of first) controller.enqueue(chunk);
          first.length = 0;
        },
        async pull(controller) {
          const next = await reader.read();
          if (failed) throw new Error('output abandoned');
          if (!next.done) {
            bytesOut += next.value.length;
            controller.enqueue(next.value);
            return;
          }
          await sanitizer.result; // settled before the upload may complete
          await target.beforeCommit?.();
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    const upload = new Upload({
      client: s3,
      // lib-storage sends these params with CompleteMultipartUpload too: the condition applies to the completion.
      params: { Bucket: target.bucket, Key: target.key, Body: body, ContentType: MIME_TYPES[format], Metadata: target.metadata(format), ...target.condition },
      partSize: PART_BYTES,
      queueSize: UPLOAD_QUEUE,
      leavePartsOnError: false,
    });
    await upload.done();
    return { bytesOut, multipart: true };
  } catch (error) {
    failed = true;
    await reader.cancel(error).catch(() => {});
    throw error;
  }
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
