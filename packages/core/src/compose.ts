/**
 * `createSanitizer()`: the main entry's API over chosen formats, so that a
 * bundle carries only their walkers. Nothing is registered anywhere: each
 * sanitizer holds its own map of handlers.
 */
import { sanitizeBlobWith, type SanitizeBlobResult } from './blob.js';
import { SanitizeError } from './errors.js';
import type { FormatHandler, Handlers, ImageFormatHandler } from './formats/handler.js';
import { inspectWith } from './inspect.js';
import type { SanitizeOptions } from './options.js';
import { sanitizeWith } from './sanitize.js';
import { detectFormat, SUPPORTED_FORMATS } from './sniff.js';
import { sanitizeStreamOver, type SanitizeStreamConstructor } from './stream.js';
import type { ImageFormat, InspectResult, SanitizeResult } from './types.js';
import type { ImageInput } from './walk.js';

/**
 * What `createSanitizer()` returns: the functions of the main entry, each
 * limited to the sanitizer's formats. Recognised images of any other format
 * are refused with `SanitizeError('UNSUPPORTED_FORMAT')`, as the main entry
 * refuses what it cannot read.
 */
export interface Sanitizer {
  /** The formats this sanitizer cleans, in the order they were given. */
  readonly SUPPORTED_FORMATS: readonly ImageFormat[];
  /** `sanitizeImage()` of the main entry, over `SUPPORTED_FORMATS`. */
  sanitizeImage(input: ImageInput, options?: SanitizeOptions): SanitizeResult;
  /** `inspectImage()` of the main entry, over `SUPPORTED_FORMATS`. */
  inspectImage(input: ImageInput, options?: SanitizeOptions): InspectResult;
  /** `SanitizeStream` of the main entry, over `SUPPORTED_FORMATS`. */
  readonly SanitizeStream: SanitizeStreamConstructor;
  /** `sanitizeBlob()` of the main entry, over `SUPPORTED_FORMATS`. */
  sanitizeBlob(blob: Blob, options?: SanitizeOptions): Promise<SanitizeBlobResult>;
  /** The main entry's `detectFormat()`: it recognises every format, supported here or not. */
  detectFormat(input: Uint8Array): ImageFormat | undefined;
}

/**
 * A sanitizer over `formats`, handlers from `@image-sanitizer/core/formats`:
 *
 * ```ts
 * import { createSanitizer } from '@image-sanitizer/core/compose';
 * import { jpeg, png, webp } from '@image-sanitizer/core/formats';
 *
 * const { sanitizeImage, SanitizeStream } = createSanitizer([jpeg, png, webp]);
 * ```
 *
 * Throws `SanitizeError('INVALID_ARGUMENT')` for an empty list, something
 * that is not a handler, or a format listed twice.
 */
export function createSanitizer(formats: readonly ImageFormatHandler[]): Sanitizer {
  const handlers = handlerMap(formats);
  const SanitizeStream = sanitizeStreamOver(handlers);
  return Object.freeze({
    SUPPORTED_FORMATS: Object.freeze([...handlers.keys()]),
    sanitizeImage: (input: ImageInput, options?: SanitizeOptions) => sanitizeWith(handlers, input, options),
    inspectImage: (input: ImageInput, options?: SanitizeOptions) => inspectWith(handlers, input, options),
    SanitizeStream,
    sanitizeBlob: (blob: Blob, options?: SanitizeOptions) => sanitizeBlobWith(SanitizeStream, blob, options),
    detectFormat,
  });
}

function handlerMap(formats: readonly ImageFormatHandler[]): Handlers {
  if (!Array.isArray(formats) || formats.length === 0) {
    throw new SanitizeError('INVALID_ARGUMENT', 'Expected the `formats` argument to be a non-empty array of handlers from `@image-sanitizer/core/formats`');
  }
  const handlers = new Map<ImageFormat, FormatHandler>();
  for (const handler of formats as readonly unknown[]) {
    if (!isFormatHandler(handler)) {
      throw new SanitizeError('INVALID_ARGUMENT', 'Expected every element of `formats` to be a handler from `@image-sanitizer/core/formats`');
    }
    if (handlers.has(handler.format)) {
      throw new SanitizeError('INVALID_ARGUMENT', `Expected each format once in \`formats\`; ${handler.format} is listed twice`);
    }
    handlers.set(handler.format, handler);
  }
  return handlers;
}

/** A handler from any copy of the package (ESM or CJS build): a known format and a walk. */
function isFormatHandler(value: unknown): value is FormatHandler {
  if (typeof value !== 'object' || value === null) return false;
  const { format, plan } = value as Partial<FormatHandler>;
  return SUPPORTED_FORMATS.includes(format as ImageFormat) && typeof plan === 'function';
}
