// Core alone, as a browser or worker project sees it: lib DOM, no @types/node.
import { sanitizeBlob, sanitizeImage, SanitizeStream, type SanitizeBlobResult } from '@image-sanitizer/core';

export async function clean(file: File): Promise<SanitizeBlobResult> {
  return sanitizeBlob(file);
}
export const stream: TransformStream<Uint8Array, Uint8Array> = new SanitizeStream();
export const bytes: Uint8Array = sanitizeImage(new Uint8Array(8)).bytes;
