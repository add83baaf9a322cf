import { SanitizeError } from './errors.js';
import type { SanitizeOptions } from './options.js';
import { MIME_TYPES } from './sniff.js';
import type { SanitizeStreamConstructor } from './stream.js';
import type { SanitizeReport } from './types.js';

/** What `sanitizeBlob()` returns: the clean image and the report. */
export interface SanitizeBlobResult extends SanitizeReport {
  /** The sanitized image, typed with the detected format's media type (`image/jpeg`, ...). */
  blob: Blob;
}

/** `sanitizeBlob()` through `SanitizeStream`, the main entry's class or a composed sanitizer's. */
export async function sanitizeBlobWith(
  SanitizeStream: SanitizeStreamConstructor,
  blob: Blob,
  options: SanitizeOptions | undefined,
): Promise<SanitizeBlobResult> {
  if (typeof blob !== 'object' || blob === null || typeof (blob as Blob).stream !== 'function') {
    throw new SanitizeError('INVALID_ARGUMENT', 'Expected the `blob` argument to be a `Blob`');
  }
  const stream = new SanitizeStream(options);
  const parts: Uint8Array[] = [];
  const reader = blob.stream().pipeThrough(stream).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  const report = await stream.result;
  return { blob: new Blob(parts as unknown as ConstructorParameters<typeof Blob>[0], { type: MIME_TYPES[report.format] }), ...report };
}
