// `@image-sanitizer/core/formats`: one handler per format, for `createSanitizer()` of
// `@image-sanitizer/core/compose`. A bundle carries the walkers of the handlers it imports, no others.
import { gif as gifHandler } from './formats/gif/index.js';
import type { ImageFormatHandler } from './formats/handler.js';
import { avif as avifHandler, heic as heicHandler } from './formats/heif/index.js';
import { jpeg as jpegHandler } from './formats/jpeg/index.js';
import { png as pngHandler } from './formats/png/index.js';
import { tiff as tiffHandler } from './formats/tiff/index.js';
import { webp as webpHandler } from './formats/webp/index.js';

export type { ImageFormatHandler } from './formats/handler.js';

/** JPEG. */
export const jpeg: ImageFormatHandler = jpegHandler;
/** PNG and APNG. */
export const png: ImageFormatHandler = pngHandler;
/** WebP. */
export const webp: ImageFormatHandler = webpHandler;
/** GIF. */
export const gif: ImageFormatHandler = gifHandler;
/** HEIC (and AVIF: one walker serves both). */
export const heic: ImageFormatHandler = heicHandler;
/** AVIF (and HEIC: one walker serves both). */
export const avif: ImageFormatHandler = avifHandler;
/** TIFF and BigTIFF. */
export const tiff: ImageFormatHandler = tiffHandler;
