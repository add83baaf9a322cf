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
  | 'FOLDER_MARKER'
  /** A newer upload or output of the key exists (see ordering.ts): writing this one would go back in time. */
  | 'SUPERSEDED'
  /** A removal event, but the input exists (a non-current version was deleted, or the key was uploaded again). */
  | 'INPUT_EXISTS'
  /** A removal event, and there is no output to delete. */
  | 'NOT_PUBLISHED'
  /** The malware gate is on and GuardDuty has not tagged this version `NO_THREATS_FOUND`: left as it is, unpublished. */
  | 'NOT_SCANNED_CLEAN';

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
  | {
      readonly outcome: 'rejected';
      readonly reason: RejectionReason;
      readonly format?: ImageFormat;
      readonly bytesIn?: number;
      /** The output of an older upload of this key was deleted. */
      readonly withdrawn?: true;
    }
  /** The input was removed, and so its output was deleted. */
  | { readonly outcome: 'deleted' }
  | { readonly outcome: 'ignored'; readonly reason: IgnoreReason };
