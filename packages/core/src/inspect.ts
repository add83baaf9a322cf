import type { Handlers } from './formats/handler.js';
import { resolveOptions, type SanitizeOptions } from './options.js';
import type { InspectResult } from './types.js';
import { handlerFor, plainBytes, runWalk, type ImageInput } from './walk.js';

/** `inspectImage()` over `handlers`. */
export function inspectWith(handlers: Handlers, input: ImageInput, options: SanitizeOptions | undefined): InspectResult {
  const source = plainBytes(input);
  const handler = handlerFor(source, handlers);
  const plan = runWalk(handler, source, resolveOptions(options), 'sanitize');
  const result: InspectResult = { format: handler.format, size: source.length, removable: plan.removed, kept: plan.kept };
  if (plan.orientation !== undefined) result.orientation = plan.orientation;
  return result;
}
