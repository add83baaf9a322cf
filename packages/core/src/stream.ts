import { asSanitizeError, SanitizeError } from './errors.js';
import type { Handlers } from './formats/handler.js';
import { resolveOptions, type SanitizeOptions } from './options.js';
import { Session } from './session.js';
import type { SanitizeReport } from './types.js';
import { plainBytes } from './walk.js';

/**
 * The platform's `TransformStream`, read through a call marked pure: a class
 * extending a global is kept by bundlers even when unused (the global might
 * not exist), one extending a local constant is dropped with it.
 */
const PlatformTransformStream: typeof TransformStream = /* @__PURE__ */ (() => TransformStream)();

/**
 * What `new SanitizeStream(options)` makes. Sanitizes an image as it flows
 * through: a `TransformStream` of bytes, in the shape of the platform's
 * `CompressionStream`.
 *
 * ```ts
 * const clean = new SanitizeStream();
 * await file.stream().pipeThrough(clean).pipeTo(destination);
 * const { format, removed, kept } = await clean.result;
 * ```
 *
 * The output is byte for byte what `sanitizeImage()` returns for the same
 * bytes and options, however the input is cut into chunks. JPEG, PNG/APNG
 * and GIF stream: memory is bounded by the largest kept header structure, not
 * by the image. WebP, HEIC/AVIF and TIFF need the whole file (the RIFF size
 * and the boxes and IFDs point anywhere); they are held up to
 * `MAX_BUFFERED_BYTES` and refused with `LIMIT_EXCEEDED` beyond it.
 *
 * Errors reach the readable side as `SanitizeError` with the same codes
 * `sanitizeImage()` throws, and `result` rejects with the same error. A
 * consumer that sees an error has nothing valid: whatever it received before
 * is not a sanitized image and must be discarded.
 */
export interface SanitizeStream extends TransformStream<Uint8Array, Uint8Array> {
  /**
   * Settles when the image ends: the report, or the `SanitizeError` the
   * readable side saw. (A stream aborted or cancelled from outside never
   * reaches the end; await the pipe for that.)
   */
  readonly result: Promise<SanitizeReport>;
}

/** The `SanitizeStream` class: the main entry's over every format, or a composed sanitizer's (`createSanitizer()`). */
export interface SanitizeStreamConstructor {
  /** Throws `SanitizeError('INVALID_ARGUMENT')` synchronously for bad options. */
  new (options?: SanitizeOptions): SanitizeStream;
  readonly prototype: SanitizeStream;
}

/** The `SanitizeStream` class over `handlers`. */
export function sanitizeStreamOver(handlers: Handlers): SanitizeStreamConstructor {
  return class SanitizeStream extends PlatformTransformStream<Uint8Array, Uint8Array> {
    readonly result: Promise<SanitizeReport>;

    constructor(options?: SanitizeOptions) {
      const session = new Session(resolveOptions(options), handlers);
      let settle!: (report: SanitizeReport) => void;
      let refuse!: (error: SanitizeError) => void;
      const result = new Promise<SanitizeReport>((resolve, reject) => {
        settle = resolve;
        refuse = reject;
      });
      result.catch(() => {}); // an unobserved rejection must not crash the process: the readable side carries the error too
      let failed: SanitizeError | undefined;
      const fail = (error: unknown): SanitizeError => {
        failed ??= asSanitizeError(error, 'streaming the image');
        refuse(failed);
        return failed;
      };
      super({
        transform(chunk, controller) {
          if (failed !== undefined) throw failed;
          try {
            session.push(plainBytes(chunk, 'chunk'), (bytes) => controller.enqueue(bytes));
          } catch (error) {
            throw fail(error);
          }
        },
        flush(controller) {
          if (failed !== undefined) throw failed;
          try {
            settle(session.end((bytes) => controller.enqueue(bytes)));
          } catch (error) {
            throw fail(error);
          }
        },
      });
      this.result = result;
    }
  };
}
