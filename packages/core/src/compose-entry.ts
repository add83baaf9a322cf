// `@image-sanitizer/core/compose`: createSanitizer(), and what its results speak of.
export { createSanitizer } from './compose.js';
export type { Sanitizer } from './compose.js';
export type { SanitizeStream, SanitizeStreamConstructor } from './stream.js';
export type { SanitizeBlobResult } from './blob.js';
export type { ImageFormatHandler } from './formats/handler.js';
export { MAX_BUFFERED_BYTES } from './session.js';
export { MIME_TYPES } from './sniff.js';
export { SanitizeError, isSanitizeError } from './errors.js';
export type { SanitizeErrorCode } from './errors.js';
export type { SanitizeOptions } from './options.js';
export type { ImageInput } from './walk.js';
export type { ImageFormat, MetadataItem, MetadataKind, SanitizeResult, SanitizeReport, InspectResult } from './types.js';
