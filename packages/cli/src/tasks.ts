import { inspectImage, isSanitizeError, sanitizeImage } from '@image-sanitizer/core';
import type { InspectResult, SanitizeOptions, SanitizeResult } from '@image-sanitizer/core';
import { sanitizeImageInto, type ScratchBuffer } from '@image-sanitizer/core/internal';
import type { FileFailure } from './errors.js';

/** The CPU-bound work on one image: pure, synchronous, the same in a worker or inline. */
export interface TaskResults {
  sanitize: SanitizeResult & {
    /** False when the output is byte-for-byte the input (nothing to remove). */
    changed: boolean;
  };
  inspect: InspectResult;
}

export type TaskOp = keyof TaskResults;

export interface TaskRequest<Op extends TaskOp = TaskOp> {
  op: Op;
  bytes: Uint8Array;
  options: SanitizeOptions;
}

export type TaskResponse<Op extends TaskOp = TaskOp> =
  | { ok: true; value: TaskResults[Op] }
  | { ok: false; failure: FileFailure };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A core error keeps its code; anything else thrown is a bug, reported as `INTERNAL`. */
export function toFailure(error: unknown): FileFailure {
  if (isSanitizeError(error)) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: `unexpected error: ${error instanceof Error ? error.message : String(error)}` };
}

/** With `into`, a sanitized image's bytes are a view of that buffer, overwritten by the next task given it. */
export function runTask<Op extends TaskOp>(request: TaskRequest<Op>, into?: ScratchBuffer): TaskResponse<Op> {
  try {
    if (request.op === 'sanitize') {
      const result = into === undefined ? sanitizeImage(request.bytes, request.options) : sanitizeImageInto(request.bytes, request.options, into);
      const value: TaskResults['sanitize'] = { ...result, changed: !sameBytes(result.bytes, request.bytes) };
      return { ok: true, value: value as TaskResults[Op] };
    }
    return { ok: true, value: inspectImage(request.bytes, request.options) as TaskResults[Op] };
  } catch (error) {
    return { ok: false, failure: toFailure(error) };
  }
}
