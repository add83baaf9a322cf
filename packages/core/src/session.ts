/**
 * One image fed chunk by chunk: what `SanitizeStream` drives. JPEG, PNG and
 * GIF go through their incremental walker as the bytes arrive, with the
 * self-check walking the output as it is produced; the other formats are
 * held whole (up to `MAX_BUFFERED_BYTES`) and sanitized at the end.
 */
import { hasAscii } from './bytes/read.js';
import { ByteCounter, type Out } from './bytes/write.js';
import { SanitizeError } from './errors.js';
import { Feeder } from './formats/feed.js';
import type { FormatHandler, Handlers } from './formats/handler.js';
import type { ResolvedOptions } from './options.js';
import { sanitizeBytes } from './sanitize.js';
import { checkSecondPass, outputDoesNotParse } from './self-check.js';
import { detectFormat } from './sniff.js';
import type { ImageFormat, SanitizeReport } from './types.js';
import { notHandled, notRecognised } from './walk.js';

/** The most a `SanitizeStream` holds for a format that needs the whole file (WebP, HEIC/AVIF, TIFF): 256 MiB. */
export const MAX_BUFFERED_BYTES = 256 * 1024 * 1024;

/** Where a session sends output bytes. It may keep the array it is given: the session never writes into it again. */
export type Emit = (bytes: Uint8Array) => void;

/** Enough leading bytes to tell every format apart (the ISO-BMFF brands are read at the end). */
const SNIFF_SIZE = 16;
/** Output is handed on in batches of up to this size, not one array per kept chunk. */
const BATCH_SIZE = 64 * 1024;
/** Ranges up to this size are copied byte by byte (no view allocated). */
const SMALL_COPY = 32;

export class Session {
  private sniffed: Uint8Array[] = [];
  private sniffedSize = 0;
  private linear: { feeder: Feeder; out: StreamOut; verify: Feeder; counter: ByteCounter; format: ImageFormat } | undefined;
  private buffered: { bytes: Uint8Array; size: number } | undefined;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly handlers: Handlers,
  ) {}

  push(chunk: Uint8Array, emit: Emit): void {
    if (chunk.length === 0) return;
    if (this.linear !== undefined) {
      this.linear.out.emit = emit;
      this.linear.feeder.push(chunk);
      this.linear.out.flush();
    } else if (this.buffered !== undefined) {
      this.hold(chunk);
    } else {
      this.sniffed.push(chunk.slice()); // the caller may reuse its memory once the chunk is handed over
      this.sniffedSize += chunk.length;
      if (this.sniffedSize >= SNIFF_SIZE) this.choose(emit, false);
    }
  }

  end(emit: Emit): SanitizeReport {
    if (this.linear === undefined && this.buffered === undefined) this.choose(emit, true);
    if (this.linear !== undefined) return this.endLinear(emit);
    const buffered = this.buffered!;
    const whole = buffered.bytes.subarray(0, buffered.size);
    buffered.bytes = new Uint8Array(0);
    const { format, bytes, removed, kept } = sanitizeBytes(whole, this.options, this.handlers);
    emit(bytes);
    return { format, removed, kept };
  }

  /** Picks the path from the leading bytes, then feeds them. */
  private choose(emit: Emit, final: boolean): void {
    const prefix = concat(this.sniffed, this.sniffedSize);
    this.sniffed = [];
    const format = detectFormat(prefix);
    const handler: FormatHandler | undefined = format === undefined ? undefined : this.handlers.get(format);
    // A format this sanitizer lacks is refused now, but HEIC and AVIF only once the whole `ftyp` box is read.
    if (format !== undefined && handler === undefined && !hasAscii(prefix, 4, 'ftyp')) throw notHandled(format, this.handlers);
    if (handler?.walker !== undefined && format !== undefined) {
      const counter = new ByteCounter();
      const verifyWalker = handler.walker(this.options, 'verify', counter);
      const verify = new Feeder(verifyWalker, format);
      const out = new StreamOut((batch) => this.check(batch), emit);
      this.linear = { feeder: new Feeder(handler.walker(this.options, 'sanitize', out), format), out, verify, counter, format };
      this.push(prefix, emit);
      return;
    }
    if (!final && format === undefined && !hasAscii(prefix, 4, 'ftyp')) {
      throw notRecognised();
    }
    this.buffered = { bytes: new Uint8Array(Math.max(prefix.length, 64 * 1024)), size: 0 };
    this.hold(prefix);
  }

  private hold(chunk: Uint8Array): void {
    const buffered = this.buffered!;
    const size = buffered.size + chunk.length;
    if (size > MAX_BUFFERED_BYTES) {
      throw new SanitizeError('LIMIT_EXCEEDED', `The image needs more than MAX_BUFFERED_BYTES (${MAX_BUFFERED_BYTES} bytes) of buffering`);
    }
    if (size > buffered.bytes.length) {
      const grown = new Uint8Array(Math.min(MAX_BUFFERED_BYTES, Math.max(size, buffered.bytes.length * 2)));
      grown.set(buffered.bytes.subarray(0, buffered.size));
      buffered.bytes = grown;
    }
    buffered.bytes.set(chunk, buffered.size);
    buffered.size = size;
  }

  /** The self-check, as the output is produced: our own output, walked again, must hold nothing to remove. */
  private check(batch: Uint8Array): void {
    const linear = this.linear!;
    try {
      linear.verify.push(batch);
    } catch (error) {
      throw outputDoesNotParse(error, linear.format);
    }
  }

  private endLinear(emit: Emit): SanitizeReport {
    const linear = this.linear!;
    linear.out.emit = emit;
    const report = linear.feeder.end();
    linear.out.flush();
    let again;
    try {
      again = linear.verify.end();
    } catch (error) {
      throw outputDoesNotParse(error, linear.format);
    }
    checkSecondPass(linear.format, again.removed, linear.out.length, linear.counter.length);
    return { format: linear.format, removed: report.removed, kept: report.kept };
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const whole = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.length;
  }
  return whole;
}

/**
 * The stream's `Out`: copies what the walker decides into batches (the
 * window it was fed is reused) and hands each batch to the self-check, then
 * downstream.
 */
class StreamOut implements Out {
  length = 0;
  private batch = new Uint8Array(BATCH_SIZE);
  private used = 0;

  constructor(
    private readonly check: (batch: Uint8Array) => void,
    public emit: Emit,
  ) {}

  copy(source: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    this.length += n;
    if (n <= SMALL_COPY) {
      if (this.used + n > BATCH_SIZE) this.flush();
      const batch = this.batch;
      for (let k = 0; k < n; k++) batch[this.used + k] = source[start + k];
      this.used += n;
      return;
    }
    if (n >= BATCH_SIZE / 2) {
      this.flush();
      this.send(source.slice(start, end));
      return;
    }
    if (this.used + n > BATCH_SIZE) this.flush();
    this.batch.set(source.subarray(start, end), this.used);
    this.used += n;
  }

  write(piece: Uint8Array): void {
    this.copy(piece, 0, piece.length);
  }

  /** Hands on what is batched: the batch itself when it is well used, else a copy of its used part. */
  flush(): void {
    if (this.used === 0) return;
    let out: Uint8Array;
    if (this.used >= BATCH_SIZE / 2) {
      out = this.batch.subarray(0, this.used);
      this.batch = new Uint8Array(BATCH_SIZE);
    } else {
      out = this.batch.slice(0, this.used);
    }
    this.used = 0;
    this.send(out);
  }

  private send(bytes: Uint8Array): void {
    this.check(bytes);
    this.emit(bytes);
  }
}
