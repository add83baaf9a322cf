import { SanitizeError } from './errors.js';
import type { FormatHandler, Handlers, Plan, WalkMode } from './formats/handler.js';
import type { ResolvedOptions } from './options.js';
import type { ImageFormat } from './types.js';
import { detectFormat } from './sniff.js';

/** What `sanitizeImage()` and `inspectImage()` accept: the bytes of an image in any binary container. */
export type ImageInput = Uint8Array | ArrayBuffer | ArrayBufferView;

/**
 * The input as a plain `Uint8Array` view of the same bytes (no copy).
 * Subclasses change what the walkers rely on: a Node `Buffer`'s `slice()` is
 * a view, not a copy, so a walker's "copy" would write into the caller's
 * bytes. Walkers only ever read this view.
 */
export function plainBytes(input: unknown, name = 'input'): Uint8Array {
  if (input instanceof Uint8Array && Object.getPrototypeOf(input) === Uint8Array.prototype) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (input instanceof ArrayBuffer || Object.prototype.toString.call(input) === '[object ArrayBuffer]') {
    return new Uint8Array(input as ArrayBuffer);
  }
  throw new SanitizeError('INVALID_ARGUMENT', `Expected the \`${name}\` argument to be a \`Uint8Array\`, an \`ArrayBuffer\` or an \`ArrayBufferView\``);
}

/** Finds the handler for the format of `input` (a plain `Uint8Array`) among `handlers`, or throws `SanitizeError`. */
export function handlerFor(input: Uint8Array, handlers: Handlers): FormatHandler {
  const format = detectFormat(input);
  if (format === undefined) throw notRecognised();
  const handler = handlers.get(format);
  if (handler === undefined) throw notHandled(format, handlers);
  return handler;
}

/** The refusal of bytes that are no format the sanitizer recognises. */
export function notRecognised(): SanitizeError {
  return new SanitizeError('UNSUPPORTED_FORMAT', 'Not a recognised image format', { offset: 0 });
}

/** The refusal of a format the sanitizer recognises but was not given a handler for (see `createSanitizer()`). */
export function notHandled(format: ImageFormat, handlers: Handlers): SanitizeError {
  const handled = [...handlers.keys()].join(', ');
  return new SanitizeError('UNSUPPORTED_FORMAT', `${format.toUpperCase()} is not among this sanitizer's formats (${handled})`, {
    format,
    offset: 0,
  });
}

/**
 * Runs a walk; any exception that is not a `SanitizeError` is a bug in the
 * core and leaves as `SanitizeError('INTERNAL')`, never as anything else.
 */
export function runWalk(handler: FormatHandler, input: Uint8Array, options: ResolvedOptions, mode: WalkMode, copiedData?: readonly number[]): Plan {
  try {
    return handler.plan(input, options, mode, copiedData);
  } catch (error) {
    if (error instanceof SanitizeError) throw error;
    throw new SanitizeError('INTERNAL', `Internal error while reading the ${handler.format.toUpperCase()}: ${String(error)}`, {
      format: handler.format,
    });
  }
}
