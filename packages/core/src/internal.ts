/**
 * For this repository's packages that bundle the core from its sources (the
 * CLI, see its tsup.config.ts): not a package entry, not public API.
 */
import { ScratchBuffer } from './bytes/write.js';
import { HANDLERS } from './formats/index.js';
import { resolveOptions, type SanitizeOptions } from './options.js';
import { sanitizeBytes } from './sanitize.js';
import type { SanitizeResult } from './types.js';
import { plainBytes, type ImageInput } from './walk.js';

export { ScratchBuffer };

/**
 * `sanitizeImage()` whose output is a view of `into`, valid until the next
 * call with the same buffer: for a batch that writes each output out before
 * it sanitizes the next image (no buffer allocated, filled and collected per image).
 */
export function sanitizeImageInto(input: ImageInput, options: SanitizeOptions | undefined, into: ScratchBuffer): SanitizeResult {
  return sanitizeBytes(plainBytes(input), resolveOptions(options), HANDLERS, into);
}
