import { SanitizeError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { sanitizeBytes } from './sanitize.js';
import type { SanitizeReport } from './types.js';

/** The most a `SanitizeStream` holds for a format that needs the whole file (WebP, HEIC/AVIF, TIFF): 256 MiB. */
export const MAX_BUFFERED_BYTES = 256 * 1024 * 1024;

/** Where a session sends output bytes. It may keep the array it is given: the session never writes into it again. */
export type Emit = (bytes: Uint8Array) => void;

/** One image fed chunk by chunk: what `SanitizeStream` drives. */
export class Session {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly options: ResolvedOptions) {}

  push(chunk: Uint8Array, _emit: Emit): void {
    if (chunk.length === 0) return;
    this.size += chunk.length;
    if (this.size > MAX_BUFFERED_BYTES) {
      throw new SanitizeError('LIMIT_EXCEEDED', `The image needs more than MAX_BUFFERED_BYTES (${MAX_BUFFERED_BYTES} bytes) of buffering`);
    }
    this.chunks.push(chunk.slice()); // the caller may reuse its memory once the chunk is handed over
  }

  end(emit: Emit): SanitizeReport {
    const whole = new Uint8Array(this.size);
    let at = 0;
    for (const chunk of this.chunks) {
      whole.set(chunk, at);
      at += chunk.length;
    }
    this.chunks.length = 0;
    const { format, bytes, removed, kept } = sanitizeBytes(whole, this.options);
    emit(bytes);
    return { format, removed, kept };
  }
}
