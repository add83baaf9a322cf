import type { ByteSink } from '../bytes/write.js';
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
  /**
   * JPEG: the size of each scan's entropy-coded data, in order. The verify
   * walk over our own output steps over these bytes (they were scanned in the
   * first walk and copied verbatim) and checks that a marker follows each.
   */
  entropySizes?: number[];
}

/** How the walk is used: `sanitize` checks everything; `verify` re-walks our own output (checksums were checked already). */
export type WalkMode = 'sanitize' | 'verify';

/** One module per container format. */
export interface FormatHandler {
  readonly format: ImageFormat;
  plan(input: Uint8Array, options: ResolvedOptions, mode: WalkMode, first?: Plan): Plan;
}
