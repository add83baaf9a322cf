import type { FormatHandler, Handlers } from './formats/handler.js';
import { resolveOptions, type ResolvedOptions, type SanitizeOptions } from './options.js';
import type { ScratchBuffer } from './bytes/write.js';
import { checkSecondPass, outputDoesNotParse } from './self-check.js';
import type { SanitizeResult } from './types.js';
import { handlerFor, plainBytes, runWalk, type ImageInput } from './walk.js';

/** `sanitizeImage()` over `handlers`. */
export function sanitizeWith(handlers: Handlers, input: ImageInput, options: SanitizeOptions | undefined): SanitizeResult {
  const source = plainBytes(input);
  return sanitizeBytes(source, resolveOptions(options), handlers);
}

/** `sanitizeImage()` over a plain `Uint8Array` and resolved options; with `into`, the output is a view of that buffer. */
export function sanitizeBytes(source: Uint8Array, resolved: ResolvedOptions, handlers: Handlers, into?: ScratchBuffer): SanitizeResult {
  const handler = handlerFor(source, handlers);
  const plan = runWalk(handler, source, resolved, 'sanitize');
  // Where the walk read image data whole (JPEG scans), the copies of it may spare the self-check a second read;
  // another thread may write into shared memory between the walk and the copy: then nothing is taken on trust.
  const shared = Object.prototype.toString.call(source.buffer) === '[object SharedArrayBuffer]';
  const copies = plan.scannedData === undefined || shared ? undefined : [];
  const bytes = plan.output.toBytes(source, copies, into);
  selfCheck(handler, bytes, resolved, copies && copiedData(plan.scannedData, copies));
  return { format: handler.format, bytes, removed: plan.removed, kept: plan.kept };
}

/**
 * The output ranges the self-check may count without reading them again
 * (pairs of output offsets, ascending). Why that is no blind trust:
 * - the bytes are those the walk read: `copies` comes from `toBytes`
 *   itself, one triple per `set()` of a view of the input into the output
 *   (a fresh buffer, or an `ScratchBuffer`'s: neither shares memory with
 *   the input, see `ScratchBuffer.take`), and a range is taken
 *   only when one such copy holds all of it; the input is not shared
 *   memory, so nothing else wrote into it since the walk (this is one
 *   synchronous call);
 * - the walk read them with the code the self-check runs: `scannedData` is
 *   the entropy-coded data of a scan, from the end of its SOS to the `FF`
 *   that ended it, and inside such a range every decision of the scan (is
 *   this `FF` a stuffed byte, a restart, the end?) depends on bytes of the
 *   range only; its last byte is never `FF`. The same code over the same
 *   bytes, entered in the same state, decides the same.
 * The self-check still reads everything else and counts these bytes: the
 * SOS in front of each range, what follows it, and that a range starts
 * exactly where the output's own SOS ends, or it is read like any other.
 */
export function copiedData(scanned: readonly number[] | undefined, copies: readonly number[]): number[] | undefined {
  if (scanned === undefined || scanned.length === 0) return undefined;
  const trusted: number[] = [];
  let c = 0;
  for (let s = 0; s + 1 < scanned.length; s += 2) {
    const start = scanned[s];
    const end = scanned[s + 1];
    while (c + 2 < copies.length && copies[c] + copies[c + 2] < end) c += 3;
    if (c + 2 >= copies.length) break;
    const from = copies[c];
    const at = copies[c + 1];
    if (from <= start && end <= from + copies[c + 2]) trusted.push(at + start - from, at + end - from);
  }
  return trusted;
}

/** The output is walked again (self-check.ts): a bug in a walker is `INTERNAL`, never a silent pass. */
function selfCheck(handler: FormatHandler, output: Uint8Array, options: ResolvedOptions, copied: readonly number[] | undefined): void {
  let again;
  try {
    again = runWalk(handler, output, options, 'verify', copied);
  } catch (error) {
    throw outputDoesNotParse(error, handler.format);
  }
  checkSecondPass(handler.format, again.removed, output.length, again.output.length);
}
