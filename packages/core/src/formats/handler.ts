import type { ByteSink, Out } from '../bytes/write.js';
import type { ResolvedOptions } from '../options.js';
import type { ImageFormat, MetadataItem } from '../types.js';

/** What a format handler found in one walk over an image. */
export interface Plan {
  /** The output image, as pieces; concatenated only by `sanitizeImage()`. */
  output: ByteSink;
  removed: MetadataItem[];
  kept: MetadataItem[];
  /** EXIF orientation (1..8) of the input, when it carries one. */
  orientation?: number;
  /** See `WalkReport.scannedData`. */
  scannedData?: number[];
}

/** What an incremental walk found; its output went to the `Out` it was given. */
export interface WalkReport {
  removed: MetadataItem[];
  kept: MetadataItem[];
  orientation?: number;
  /**
   * Image data the walk read whole and copied as it is, as pairs of input
   * offsets `[start, end)`, ascending: each pair is one JPEG scan's
   * entropy-coded data, found to hold no marker but RSTn.
   */
  scannedData?: number[];
}

/** How the walk is used: `sanitize` checks everything; `verify` re-walks our own output (checksums were checked already). */
export type WalkMode = 'sanitize' | 'verify';

/**
 * An incremental walker (libjpeg's suspending source, libpng's progressive
 * reader): fed consecutive windows of the input, it writes what it decides
 * to its `Out` as soon as it can and keeps only the structure it is inside.
 */
export interface Walker {
  /**
   * Reads `window[at, end)`; `offset` is the position of `window[at]` in the
   * input and `final` says no byte follows `end`. Returns the index up to which
   * the bytes were used; the rest comes back at the start of the next window,
   * which holds at least `need` bytes from there (or is final).
   */
  feed(window: Uint8Array, at: number, end: number, offset: number, final: boolean): number;
  /** Bytes needed from where the last `feed` stopped before it can move on (at least 1). */
  readonly need: number;
  /** True when the window it is fed stays valid after `feed` returns (one whole input), so it may keep views. */
  stable: boolean;
  /**
   * For the self-check of `sanitizeImage()` only: pairs of input offsets
   * `[start, end)`, ascending, that are a verbatim copy of `scannedData` of
   * the walk that produced this input (see `copiedData` in sanitize.ts).
   */
  copiedData?: readonly number[];
  /** After the final `feed`: what was removed and kept. */
  finish(): WalkReport;
}

/**
 * A format handler as `@image-sanitizer/core/formats` exports it, for
 * `createSanitizer()`: opaque outside the core (the walkers are no API).
 */
export interface ImageFormatHandler {
  readonly format: ImageFormat;
}

/** One module per container format. */
export interface FormatHandler extends ImageFormatHandler {
  /** Walks a whole input held in memory. */
  plan(input: Uint8Array, options: ResolvedOptions, mode: WalkMode, copiedData?: readonly number[]): Plan;
  /** The formats that stream: a walker fed chunk by chunk. `plan()` is this walker fed one chunk. */
  walker?(options: ResolvedOptions, mode: WalkMode, out: Out): Walker;
}

/** The formats a sanitizer handles: every one (`HANDLERS`, the main entry) or those given to `createSanitizer()`. */
export type Handlers = ReadonlyMap<ImageFormat, FormatHandler>;
