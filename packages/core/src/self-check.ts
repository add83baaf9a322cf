/**
 * The self-check's verdicts, shared by `sanitizeImage()` (sanitize.ts) and
 * the stream (session.ts): the output, walked again, must parse, hold only
 * allowlisted containers and come out of a second pass unchanged. Anything
 * else is a bug, reported as `INTERNAL`, never a silent pass.
 */
import { SanitizeError } from './errors.js';
import type { ImageFormat, MetadataItem } from './types.js';

/** The output did not parse when walked again: `error` is what the second walk threw. */
export function outputDoesNotParse(error: unknown, format: ImageFormat): SanitizeError {
  const reason = error instanceof SanitizeError ? `${error.code}: ${error.message}` : String(error);
  return new SanitizeError('INTERNAL', `Self-check failed: the sanitized output does not parse (${reason})`, { format });
}

/** Throws unless the second walk removed nothing and gave as many bytes as the first. */
export function checkSecondPass(format: ImageFormat, removed: readonly MetadataItem[], firstLength: number, secondLength: number): void {
  if (removed.length > 0) {
    const what = removed.map((item) => `${item.container}(${item.kind})`).join(', ');
    throw new SanitizeError('INTERNAL', `Self-check failed: the sanitized output still holds ${what}`, { format });
  }
  if (secondLength !== firstLength) {
    throw new SanitizeError('INTERNAL', 'Self-check failed: a second pass changes the output', { format });
  }
}
