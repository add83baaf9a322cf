// Core alone, as a browser or worker project sees it: lib DOM, no @types/node.
import { sanitizeBlob, sanitizeImage, SanitizeStream, type SanitizeBlobResult } from '@image-sanitizer/core';
import { createSanitizer } from '@image-sanitizer/core/compose';
import { jpeg, png, webp } from '@image-sanitizer/core/formats';

export async function clean(file: File): Promise<SanitizeBlobResult> {
  return sanitizeBlob(file);
}
export const stream: TransformStream<Uint8Array, Uint8Array> = new SanitizeStream();
export const bytes: Uint8Array = sanitizeImage(new Uint8Array(8)).bytes;

// The subpaths: the whole API over the formats a page accepts.
const photos = createSanitizer([jpeg, png, webp]);
export const cleanPhoto = (file: File): Promise<SanitizeBlobResult> => photos.sanitizeBlob(file);
export const photoStream: TransformStream<Uint8Array, Uint8Array> = new photos.SanitizeStream();
