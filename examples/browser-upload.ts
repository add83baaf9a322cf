// In a browser (or a worker): strip metadata before an upload leaves the device, then PUT the clean file to a
// presigned S3 URL (see examples/presign-upload.ts). The original never reaches the server.
import { detectFormat, MIME_TYPES, sanitizeBlob, sanitizeImage, type SanitizeBlobResult } from '@image-sanitizer/core';

export async function cleanBeforeUpload(file: Blob): Promise<Blob> {
  const input = new Uint8Array(await file.arrayBuffer());
  const format = detectFormat(input);
  if (format === undefined) throw new Error('not an image');
  const { bytes } = sanitizeImage(input); // throws SanitizeError when it cannot clean: do not upload then
  return new Blob([bytes], { type: MIME_TYPES[format] });
}

/**
 * Cleans `file` and PUTs the clean copy to `presignedUrl`. Rejects with the core's `SanitizeError` when the file
 * cannot be cleaned (nothing is sent then), or with an `Error` when the upload fails.
 */
export async function putClean(file: Blob, presignedUrl: string): Promise<SanitizeBlobResult> {
  const clean = await sanitizeBlob(file); // streams the file; nothing is sent before it is fully clean
  const response = await fetch(presignedUrl, { method: 'PUT', body: clean.blob, headers: { 'Content-Type': clean.blob.type } });
  if (!response.ok) throw new Error(`The upload was refused: HTTP ${response.status}`);
  return clean;
}

/**
 * Wires a form with a file input named `photo`, a URL input named `url` (the presigned PUT URL) and an
 * `<output name="status">`: submitting it cleans the photo, uploads the clean copy and says what happened.
 */
export function wireUploadForm(form: HTMLFormElement): void {
  const status = form.elements.namedItem('status') as HTMLOutputElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const file = (form.elements.namedItem('photo') as HTMLInputElement).files?.[0];
    const url = (form.elements.namedItem('url') as HTMLInputElement).value;
    if (file === undefined) {
      status.value = 'Choose a photo first.';
      return;
    }
    status.value = `Cleaning ${file.name}…`;
    putClean(file, url).then(
      (clean) => {
        status.value = `Uploaded the clean ${clean.format.toUpperCase()} (${clean.blob.size} bytes, ${clean.removed.length} metadata containers removed).`;
      },
      (error: unknown) => {
        const code = (error as { code?: unknown }).code;
        status.value = typeof code === 'string' ? `Refused, nothing uploaded: ${code}: ${(error as Error).message}` : `Upload failed: ${String(error)}`;
      },
    );
  });
}
