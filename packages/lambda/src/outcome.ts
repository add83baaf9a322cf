import type { ImageFormat, MetadataKind, SanitizeErrorCode } from '@image-sanitizer/core';

/** Why an object was rejected: the core's error code, or our own size cap. */
export type RejectionReason = SanitizeErrorCode | 'OBJECT_TOO_LARGE';

/** Why an event was skipped without touching any object. */
export type IgnoreReason =
  /** The event names a bucket other than `INPUT_BUCKET`. */
  | 'FOREIGN_BUCKET'
  /** The event names the output bucket: processing it would loop. */
  | 'OUTPUT_BUCKET'
  /** The object was deleted before it could be read: nothing left to sanitize or lose. */
  | 'NOT_FOUND'
  /** An empty object whose key ends in `/`: the S3 console's "Create folder". Nothing to sanitize, nothing to reject. */
  | 'FOLDER_MARKER';

/**
 * What happened to one object. A failure that should be retried is not an
 * outcome: `processObject()` throws it.
 */
export type ObjectOutcome =
  | {
      readonly outcome: 'sanitized';
      readonly format: ImageFormat;
      readonly bytesIn: number;
      readonly bytesOut: number;
      readonly removed: MetadataKind[];
      readonly kept: MetadataKind[];
    }
  | { readonly outcome: 'rejected'; readonly reason: RejectionReason; readonly format?: ImageFormat; readonly bytesIn?: number }
  | { readonly outcome: 'ignored'; readonly reason: IgnoreReason };
