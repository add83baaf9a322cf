import { SanitizeError } from './errors.js';
import type { FormatHandler, Handlers } from './formats/handler.js';
import { resolveOptions, type ResolvedOptions, type SanitizeOptions } from './options.js';
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

/**
 * The output is walked again: it must hold only allowlisted containers and
 * come out of a second pass unchanged. Anything else is a bug, reported as
 * `INTERNAL`, never a silent pass.
 */
function selfCheck(handler: FormatHandler, output: Uint8Array, options: ResolvedOptions): void {
  let again;
  try {
    again = runWalk(handler, output, options, 'verify');
  } catch (error) {
    const reason = error instanceof SanitizeError ? `${error.code}: ${error.message}` : String(error);
    throw new SanitizeError('INTERNAL', `Self-check failed: the sanitized output does not parse (${reason})`, { format: handler.format });
  }
  if (again.removed.length > 0) {
    const what = again.removed.map((item) => `${item.container}(${item.kind})`).join(', ');
    throw new SanitizeError('INTERNAL', `Self-check failed: the sanitized output still holds ${what}`, { format: handler.format });
  }
  if (again.output.length !== output.length) {
    throw new SanitizeError('INTERNAL', 'Self-check failed: a second pass changes the output', { format: handler.format });
  }
}
