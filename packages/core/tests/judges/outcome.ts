/** How a sanitization ended: one way to get the result or the refusal code, refusal assertions, mutation sweeps. */
import { expect } from 'vitest';
import { SanitizeError, sanitizeImage, type SanitizeResult, type SanitizeOptions } from '../../src/index.js';

/** The SanitizeError code `run` throws (failing the test on any other exception), or `undefined` when it returns. */
export function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SanitizeError);
    return (error as SanitizeError).code;
  }
  return undefined;
}

/** The SanitizeError `run` throws; fails the test when it returns or throws anything else. */
export function refusalOf(run: () => unknown): SanitizeError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SanitizeError);
  return caught as SanitizeError;
}

/** True when the two byte ranges hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** `sanitizeImage(input)` must throw a SanitizeError with `code` (and `format`, when given). */
export function expectRefused(input: Uint8Array, code: string, format?: string): void {
  try {
    sanitizeImage(input);
    expect.unreachable(`expected ${code}`);
  } catch (error) {
    expect(error).toBeInstanceOf(SanitizeError);
    expect((error as SanitizeError).code, (error as Error).message).toBe(code);
    if (format !== undefined) expect((error as SanitizeError).format).toBe(format);
  }
}

/** Every third truncation of `input`, and four one-byte mutations of each offset `mutable` accepts. */
export function sweepVariants(input: Uint8Array, mutable: (at: number) => boolean): Uint8Array[] {
  const variants: Uint8Array[] = [];
  for (let cut = 0; cut < input.length; cut += 3) variants.push(input.subarray(0, cut));
  for (let at = 0; at < input.length; at++) {
    if (!mutable(at)) continue;
    for (const value of [0x00, 0xff, input[at] ^ 0x01, (input[at] + 8) & 0xff]) {
      const mutated = input.slice();
      mutated[at] = value;
      variants.push(mutated);
    }
  }
  return variants;
}

/**
 * Sanitizes every variant. A refusal must be a SanitizeError with a code other than INTERNAL; an output
 * must re-sanitize to itself with nothing removed; `judge` adds the format's own problems.
 */
export function sanitizeEachVariant(
  variants: Uint8Array[],
  judge: (variant: Uint8Array, result: SanitizeResult, index: number) => string[] = () => [],
): { cleaned: number; problems: string[] } {
  let cleaned = 0;
  const problems: string[] = [];
  variants.forEach((variant, i) => {
    let result;
    try {
      result = sanitizeImage(variant);
    } catch (error) {
      if (!(error instanceof SanitizeError) || error.code === 'INTERNAL') problems.push(`variant ${i}: ${String(error)}`);
      return;
    }
    cleaned++;
    const again = sanitizeImage(result.bytes);
    if (!sameBytes(again.bytes, result.bytes) || again.removed.length > 0) problems.push(`variant ${i}: not idempotent`);
    problems.push(...judge(variant, result, i));
  });
  return { cleaned, problems };
}

/** The outcome of `sanitizeImage(input, options)`: the result, or the refusal's code and message (anything but a SanitizeError is rethrown). */
export function sanitizeOrCode(input: Uint8Array, options?: SanitizeOptions): { result: SanitizeResult } | { code: string; message: string } {
  try {
    return { result: sanitizeImage(input, options) };
  } catch (error) {
    if (!(error instanceof SanitizeError)) throw error;
    return { code: error.code, message: error.message };
  }
}
