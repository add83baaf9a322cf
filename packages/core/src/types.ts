/** Container formats the core recognises by their magic bytes. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'heic' | 'avif' | 'tiff';

/**
 * What a metadata item is. The vocabulary is shared by `removed`, `kept`,
 * `inspectImage()` and every consumer (Lambda logs, CLI reports).
 */
export type MetadataKind =
  | 'exif' // EXIF/TIFF IFDs: camera, GPS, times, maker notes
  | 'xmp' // XMP packet (including PNG iTXt XML:com.adobe.xmp)
  | 'xmp-extended' // JPEG Extended XMP chunks
  | 'iptc' // Photoshop IRB / IPTC-IIM (JPEG APP13)
  | 'icc' // ICC colour profile (kept by default)
  | 'orientation' // freshly written orientation-only EXIF (kept by default)
  | 'jfif' // JFIF header, rewritten without thumbnail
  | 'adobe' // Adobe APP14 colour-transform segment (kept)
  | 'comment' // JPEG COM
  | 'text' // PNG tEXt / zTXt / iTXt
  | 'timestamp' // PNG tIME
  | 'thumbnail' // JFXX thumbnail or a thumbnail inside another container
  | 'secondary-image' // MPF index (the images themselves are trailers)
  | 'trailer' // bytes after the end of the primary image
  | 'application' // vendor APPn segments (Ducky, FlashPix, JUMBF/C2PA, ...)
  | 'color' // PNG colour-rendering chunks (gAMA, cHRM, sRGB, cICP, ...), kept
  | 'unknown'; // anything nobody has named yet

/**
 * One metadata container found in the input.
 *
 * Positions follow one vocabulary everywhere: `offset` is where the container
 * starts in the input (the `FF` of a JPEG marker, the length field of a PNG
 * chunk, the first trailer byte) and `length` is the size of the whole
 * container including its framing.
 *
 * A run of removed containers that follow each other and read the same
 * (same `kind`, `container` and `label`: 12,000 COM segments in a row) is
 * reported as one item: `offset` is where the first starts, `length` covers
 * the whole run and `count` says how many containers it holds. `count` is
 * absent for a single container.
 */
export interface MetadataItem {
  kind: MetadataKind;
  /** The container as the format names it: `APP1`, `COM`, `tEXt`, `trailer`, ... */
  container: string;
  offset: number;
  length: number;
  /** A short human-readable label naming the container, e.g. `Exif`, `ICC_PROFILE 1/3`, `Ducky`, or a PNG text keyword such as `Author`. Never a metadata value. */
  label?: string;
  /** How many adjacent containers this item stands for, when more than one (see above). */
  count?: number;
}

/** What `SanitizeStream.result` and `sanitizeBlob()` report: a `SanitizeResult` without the bytes, which went down the stream. */
export interface SanitizeReport {
  format: ImageFormat;
  /** Containers present in the input and absent from the output. */
  removed: MetadataItem[];
  /** Metadata containers carried into the output. */
  kept: MetadataItem[];
}

export interface SanitizeResult {
  format: ImageFormat;
  /** The sanitized image, in a fresh `ArrayBuffer` of its own; the input is never modified. */
  bytes: Uint8Array<ArrayBuffer>;
  /** Containers present in the input and absent from the output. */
  removed: MetadataItem[];
  /** Metadata containers carried into the output (ICC, orientation, JFIF, Adobe, PNG colour chunks). */
  kept: MetadataItem[];
}

export interface InspectResult {
  format: ImageFormat;
  /** Input size in bytes. */
  size: number;
  /** Everything `sanitizeImage()` with the same options would remove. */
  removable: MetadataItem[];
  /** Metadata containers `sanitizeImage()` with the same options would keep. */
  kept: MetadataItem[];
  /** EXIF orientation of the input (1..8), when it carries one. */
  orientation?: number;
}
