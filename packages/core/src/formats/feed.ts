/**
 * Drives an incremental walker (see `Walker` in handler.ts) over chunks as
 * they arrive, holding back only the bytes of a structure not yet complete.
 * `sanitizeImage()` is the same walker fed one chunk: `planWhole()`.
 */
import { ByteSink, type Out } from '../bytes/write.js';
import { asSanitizeError, SanitizeError } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import type { ImageFormat } from '../types.js';
import { Findings } from './findings.js';
import type { FormatHandler, Plan, WalkMode, Walker, WalkReport } from './handler.js';

/**
 * What every incremental walker shares: the loop of steps over one window,
 * the wait for bytes not fed yet, the pieces it keeps, its findings. A walker
 * is a state machine; `step` does what its current state says with the bytes
 * from window index `i` and returns where it stopped. A step that needs more
 * bytes than the window holds calls `wait(need)` and returns where they
 * start: they come back at the start of the next window.
 */
export abstract class LinearWalker implements Walker {
  stable = false;
  /** The walker's findings and its one way to refuse. */
  protected readonly f: Findings;
  /** Window index `i` is input offset `i + delta` in the current feed. */
  protected delta = 0;
  /** The input's EXIF orientation (1..8), for a walker that reads one. */
  protected orientation: number | undefined;
  private waiting = false;

  constructor(
    format: ImageFormat,
    public need: number,
  ) {
    this.f = new Findings(format);
  }

  feed(w: Uint8Array, at: number, end: number, offset: number, final: boolean): number {
    this.delta = offset - at;
    this.waiting = false;
    let i = at;
    while (!this.waiting) i = this.step(w, i, end, final);
    return i;
  }

  finish(): WalkReport {
    const report: WalkReport = { removed: this.f.removed, kept: this.f.kept };
    if (this.orientation !== undefined) report.orientation = this.orientation;
    return report;
  }

  /** One step from the current state over `w[i, end)`; `final` says no byte follows `end`. */
  protected abstract step(w: Uint8Array, i: number, end: number, final: boolean): number;

  /** Ends the feed: the walker needs `need` bytes from where this step stopped. */
  protected wait(need: number): void {
    this.need = need;
    this.waiting = true;
  }

  /** A kept piece of the window: a view when the window stays valid, else a copy. */
  protected piece(w: Uint8Array, start: number, end: number): Uint8Array {
    return this.stable ? w.subarray(start, end) : w.slice(start, end);
  }
}

export class Feeder {
  /** Bytes handed over but not used yet; `pending[0]` is input offset `offset`. */
  private pending = new Uint8Array(0);
  private size = 0;
  private offset = 0;

  constructor(
    private readonly walker: Walker,
    private readonly format: ImageFormat,
  ) {}

  push(chunk: Uint8Array): void {
    try {
      let at = 0;
      while (at < chunk.length) {
        if (this.size === 0) {
          const used = this.walker.feed(chunk, at, chunk.length, this.offset, false);
          this.offset += used - at;
          this.hold(chunk, used, chunk.length);
          return;
        }
        // Top the held bytes up to what the walker needs, no more: the rest of the chunk is fed in place.
        const take = Math.min(chunk.length - at, Math.max(this.walker.need - this.size, 0));
        this.hold(chunk, at, at + take);
        at += take;
        if (this.size < this.walker.need) return;
        this.drain(false);
      }
    } catch (error) {
      throw this.asError(error);
    }
  }

  /** No byte follows: the walker sees the end and reports. */
  end(): WalkReport {
    try {
      this.drain(true);
      return this.walker.finish();
    } catch (error) {
      throw this.asError(error);
    }
  }

  private drain(final: boolean): void {
    const window = this.pending.subarray(0, this.size);
    const used = this.walker.feed(window, 0, this.size, this.offset, final);
    if (!final && used === 0 && this.size >= this.walker.need) {
      throw new SanitizeError('INTERNAL', `The ${this.format.toUpperCase()} walker made no progress`, { format: this.format, offset: this.offset });
    }
    this.offset += used;
    this.pending.copyWithin(0, used, this.size);
    this.size -= used;
  }

  private hold(chunk: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n === 0) return;
    if (this.size + n > this.pending.length) {
      const grown = new Uint8Array(Math.max(this.size + n, this.pending.length * 2, 1024));
      grown.set(this.pending.subarray(0, this.size));
      this.pending = grown;
    }
    this.pending.set(chunk.subarray(start, end), this.size);
    this.size += n;
  }

  private asError(error: unknown): SanitizeError {
    const e = asSanitizeError(error, `reading the ${this.format.toUpperCase()}`);
    return e.format === undefined && e.code === 'INTERNAL' ? new SanitizeError('INTERNAL', e.message, { format: this.format }) : e;
  }
}

/** A streaming format's `plan()`: its walker fed the whole input as one final chunk. */
export function planWhole(
  walker: (options: ResolvedOptions, mode: WalkMode, out: Out) => Walker,
  input: Uint8Array,
  options: ResolvedOptions,
  mode: WalkMode,
  copiedData?: readonly number[],
): Plan {
  const output = new ByteSink();
  const w = walker(options, mode, output);
  w.stable = true;
  if (copiedData !== undefined) w.copiedData = copiedData;
  const used = w.feed(input, 0, input.length, 0, true);
  if (used !== input.length) throw new SanitizeError('INTERNAL', `The walker left ${input.length - used} bytes unread`);
  return { output, ...w.finish() };
}

/** The handler of a streaming format. */
/* @__NO_SIDE_EFFECTS__ */
export function streamingHandler(format: ImageFormat, walker: (options: ResolvedOptions, mode: WalkMode, out: Out) => Walker): FormatHandler {
  return {
    format,
    walker,
    plan: (input, options, mode, copiedData) => planWhole(walker, input, options, mode, copiedData),
  };
}
