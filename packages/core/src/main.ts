/**
 * The main entry's functions: the API over every format (`HANDLERS`).
 * `createSanitizer()` (compose.ts) builds the same API over chosen formats.
 */
import { sanitizeBlobWith, type SanitizeBlobResult } from './blob.js';
import { HANDLERS } from './formats/index.js';
import { inspectWith } from './inspect.js';
import type { SanitizeOptions } from './options.js';
import { sanitizeWith } from './sanitize.js';
import { sanitizeStreamOver, type SanitizeStream as Stream, type SanitizeStreamConstructor } from './stream.js';
import type { InspectResult, SanitizeResult } from './types.js';
import type { ImageInput } from './walk.js';

/**
 * Removes every metadata container that is not needed to display the image.
 * The compressed image data is copied byte for byte. Accepts a `Uint8Array`
 * (a Node `Buffer` too), an `ArrayBuffer` or any `ArrayBufferView`; returns a
 * fresh buffer and never writes into the input. Throws only `SanitizeError`.
 */
export function sanitizeImage(input: ImageInput, options?: SanitizeOptions): SanitizeResult {
  return sanitizeWith(HANDLERS, input, options);
}

/**
 * Reports what the image carries and what `sanitizeImage()` with the same
 * options would remove and keep. Changes nothing; throws only `SanitizeError`.
 */
export function inspectImage(input: ImageInput, options?: SanitizeOptions): InspectResult {
  return inspectWith(HANDLERS, input, options);
}

/**
 * Sanitizes an image as it flows through: a `TransformStream` of bytes whose
 * output is byte for byte what `sanitizeImage()` returns, however the input
 * is cut. `result` settles with the report or the `SanitizeError`.
 *
 * ```ts
 * const clean = new SanitizeStream();
 * await file.stream().pipeThrough(clean).pipeTo(destination);
 * const { format, removed, kept } = await clean.result;
 * ```
 */
export const SanitizeStream: SanitizeStreamConstructor = /* @__PURE__ */ sanitizeStreamOver(HANDLERS);
export type SanitizeStream = Stream;

/**
 * Sanitizes a `Blob` (a browser `File`, a `fetch` response's `blob()`):
 * its bytes flow through a `SanitizeStream`. Rejects only with `SanitizeError`.
 */
export function sanitizeBlob(blob: Blob, options?: SanitizeOptions): Promise<SanitizeBlobResult> {
  return sanitizeBlobWith(SanitizeStream, blob, options);
}
