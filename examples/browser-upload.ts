// In a browser (or a worker): strip metadata before an upload leaves the device.
import { detectFormat, MIME_TYPES, sanitizeImage } from '@image-sanitizer/core';

export async function cleanBeforeUpload(file: Blob): Promise<Blob> {
  const input = new Uint8Array(await file.arrayBuffer());
  const format = detectFormat(input);
  if (format === undefined) throw new Error('not an image');
  const { bytes } = sanitizeImage(input); // throws SanitizeError when it cannot clean: do not upload then
  return new Blob([bytes], { type: MIME_TYPES[format] });
}
