import type { ImageFormat } from './types.js';

/**
 * Machine-readable reason a sanitization failed. Callers branch on this,
 * never on the message text.
 */
export type SanitizeErrorCode =
  /** The bytes are not a format the sanitizer can clean (or not an image at all). */
  | 'UNSUPPORTED_FORMAT'
  /** The input ends before the image does (no JPEG EOI, no PNG IEND, a length past the end). */
  | 'TRUNCATED'
  /** The structure is invalid: garbage between segments, bad lengths, missing required parts. */
  | 'MALFORMED'
  /** A PNG chunk's CRC does not match its contents. */
  | 'CHECKSUM_MISMATCH'
  /** A count or size is beyond what the sanitizer accepts. */
  | 'LIMIT_EXCEEDED'
  /** An argument has the wrong type (e.g. `input` is not a `Uint8Array`). */
  | 'INVALID_ARGUMENT'
  /** The output failed the sanitizer's own re-walk, or another bug. Please report it. */
  | 'INTERNAL';

/**
 * Marks every `SanitizeError`, whichever copy of the package made it: the ESM
 * and CJS builds each define their own class, so `instanceof` alone fails when
 * the two meet. `Symbol.for` gives both copies the same key.
 */
const BRAND = Symbol.for('@image-sanitizer/core.SanitizeError');

/**
 * The only error the core throws for input it cannot sanitize. `instanceof`
 * and `isSanitizeError()` both recognise errors made by another copy of the
 * package (ESM next to CJS).
 */
export class SanitizeError extends Error {
  override readonly name = 'SanitizeError' as const;
  readonly code: SanitizeErrorCode;
  /** The detected format, when known. */
  readonly format?: ImageFormat;
  /** Byte offset in the input where the problem was found, when known. */
  readonly offset?: number;

  constructor(code: SanitizeErrorCode, message: string, details: { format?: ImageFormat; offset?: number } = {}) {
    super(message);
    this.code = code;
    if (details.format !== undefined) this.format = details.format;
    if (details.offset !== undefined) this.offset = details.offset;
    Object.setPrototypeOf(this, new.target.prototype);
    Object.defineProperty(this, BRAND, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isSanitizeError(value);
  }
}

/** True for a `SanitizeError` from any copy of the package (ESM or CJS build). */
export function isSanitizeError(error: unknown): error is SanitizeError {
  return typeof error === 'object' && error !== null && (error as { [BRAND]?: unknown })[BRAND] === true;
}

/** `error` as a `SanitizeError`: itself when it is one, else `INTERNAL` (a bug in the core, never the input's fault). */
export function asSanitizeError(error: unknown, what: string): SanitizeError {
  if (isSanitizeError(error)) return error;
  return new SanitizeError('INTERNAL', `Internal error while ${what}: ${String(error)}`);
}
