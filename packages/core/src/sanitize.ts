import type { FormatHandler, Handlers } from './formats/handler.js';
import { resolveOptions, type ResolvedOptions, type SanitizeOptions } from './options.js';
import { checkSecondPass, outputDoesNotParse } from './self-check.js';
import type { SanitizeResult } from './types.js';
import { handlerFor, plainBytes, runWalk, type ImageInput } from './walk.js';

/** `sanitizeImage()` over `handlers`. */
export function sanitizeWith(handlers: Handlers, input: ImageInput, options: SanitizeOptions | undefined): SanitizeResult {
  const source = plainBytes(input);
  return sanitizeBytes(source, resolveOptions(options), handlers);
}

/** `sanitizeImage()` over a plain `Uint8Array` and resolved options. */
export function sanitizeBytes(source: Uint8Array, resolved: ResolvedOptions, handlers: Handlers): SanitizeResult {
  const handler = handlerFor(source, handlers);
  const plan = runWalk(handler, source, resolved, 'sanitize');
  const bytes = plan.output.toBytes();
  selfCheck(handler, bytes, resolved);
  return { format: handler.format, bytes, removed: plan.removed, kept: plan.kept };
}

/** The output is walked again (self-check.ts): a bug in a walker is `INTERNAL`, never a silent pass. */
function selfCheck(handler: FormatHandler, output: Uint8Array, options: ResolvedOptions): void {
  let again;
  try {
    again = runWalk(handler, output, options, 'verify');
  } catch (error) {
    throw outputDoesNotParse(error, handler.format);
  }
  checkSecondPass(handler.format, again.removed, output.length, again.output.length);
}
