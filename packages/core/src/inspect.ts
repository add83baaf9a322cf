import { resolveOptions, type SanitizeOptions } from './options.js';
import type { InspectResult } from './types.js';
import { handlerFor, plainBytes, runWalk, type ImageInput } from './walk.js';

/**
 * Reports what the image carries and what `sanitizeImage()` with the same
 * options would remove and keep. Changes nothing; throws only `SanitizeError`.
 */
export function inspectImage(input: ImageInput, options?: SanitizeOptions): InspectResult {
  const source = plainBytes(input);
  const handler = handlerFor(source);
  const plan = runWalk(handler, source, resolveOptions(options), 'sanitize');
  const result: InspectResult = { format: handler.format, size: source.length, removable: plan.removed, kept: plan.kept };
  if (plan.orientation !== undefined) result.orientation = plan.orientation;
  return result;
}
