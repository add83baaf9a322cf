export { sanitizeImage } from './sanitize.js';
export { inspectImage } from './inspect.js';
export { detectFormat, SUPPORTED_FORMATS, MIME_TYPES } from './sniff.js';
export { SanitizeError, isSanitizeError } from './errors.js';
export type { SanitizeErrorCode } from './errors.js';
export type { SanitizeOptions } from './options.js';
export type { ImageFormat, MetadataItem, MetadataKind, SanitizeResult, InspectResult } from './types.js';
