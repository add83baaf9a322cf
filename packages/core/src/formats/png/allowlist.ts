/**
 * The PNG allowlist as data (W3C PNG 3rd edition section numbers; APNG 1.0).
 * A chunk not named in `CRITICAL` or `KEPT_ANCILLARY` is removed; an unknown
 * critical chunk is refused.
 */
import type { MetadataKind } from '../../types.js';

/** Critical chunks (first letter upper case) the walker knows. Any other critical chunk is refused. */
export const CRITICAL: ReadonlySet<string> = new Set([
  'IHDR', // 11.2.1 image header
  'PLTE', // 11.2.2 palette
  'IDAT', // 11.2.3 image data
  'IEND', // 11.2.4 image trailer
]);

/** Ancillary chunks needed to display the image faithfully, and what the report calls them (undefined: image data). */
export const KEPT_ANCILLARY: ReadonlyMap<string, MetadataKind | undefined> = new Map<string, MetadataKind | undefined>([
  ['tRNS', undefined], // 11.3.2.1 transparency
  ['gAMA', 'color'], // 11.3.3.2 image gamma
  ['cHRM', 'color'], // 11.3.3.1 primary chromaticities
  ['sRGB', 'color'], // 11.3.3.5 standard RGB colour space
  ['cICP', 'color'], // 11.3.3.6 coding-independent code points
  ['mDCv', 'color'], // 11.3.3.7 mastering display colour volume
  ['cLLi', 'color'], // 11.3.3.8 content light level
  ['sBIT', 'color'], // 11.3.3.4 significant bits
  ['bKGD', 'color'], // 11.3.4.1 background colour
  ['pHYs', 'color'], // 11.3.4.3 physical pixel dimensions (aspect ratio)
  ['acTL', undefined], // APNG animation control
  ['fcTL', undefined], // APNG frame control
  ['fdAT', undefined], // APNG frame data
]);

/** iCCP (11.3.3.3) is kept when asked, its profile name replaced by this. */
export const ICCP_NAME = 'ICC profile';

/**
 * The exact data size of each kept ancillary chunk (11.3; APNG 1.0), by colour
 * type where it depends on it: a kept chunk holds its fields and nothing else,
 * so no bytes ride along. tRNS of an indexed image (at most one byte per palette
 * entry) is checked apart. The APNG chunks (acTL, fcTL, fdAT: a sequence
 * number and image data) of the wrong size are refused, not dropped: the
 * animation would break.
 */
export const FIXED_SIZE: Readonly<Record<string, number>> = {
  gAMA: 4, // 11.3.3.2
  cHRM: 32, // 11.3.3.1
  sRGB: 1, // 11.3.3.5
  cICP: 4, // 11.3.3.6
  mDCv: 24, // 11.3.3.7
  cLLi: 8, // 11.3.3.8
  pHYs: 9, // 11.3.4.3
  acTL: 8, // APNG: num_frames, num_plays
  fcTL: 26, // APNG: sequence, width, height, x, y, delay num/den, dispose_op, blend_op
};
export const SIZE_BY_COLOUR_TYPE: Readonly<Record<string, Readonly<Record<number, number>>>> = {
  sBIT: { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 }, // 11.3.3.4
  bKGD: { 0: 2, 2: 6, 3: 1, 4: 2, 6: 6 }, // 11.3.4.1
  tRNS: { 0: 2, 2: 6 }, // 11.3.2.1: not allowed with an alpha channel (4, 6)
};
/** Chunks a PNG holds at most once (5.6 Table 5.3); a later copy is removed (PLTE twice is refused). */
export const ONCE: ReadonlySet<string> = new Set(['tRNS', 'gAMA', 'cHRM', 'sRGB', 'cICP', 'mDCv', 'cLLi', 'sBIT', 'bKGD', 'pHYs', 'iCCP', 'acTL']);

/** What a removed ancillary chunk is, for the report (anything else: `unknown`). */
export const REMOVED_KIND: Readonly<Record<string, MetadataKind>> = {
  tEXt: 'text', // 11.3.4.3
  zTXt: 'text', // 11.3.4.4
  iTXt: 'text', // 11.3.4.5 (`xmp` when its keyword is XML:com.adobe.xmp)
  eXIf: 'exif', // 11.3.4.6 (its Orientation is read first)
  tIME: 'timestamp', // 11.3.4.6
  iCCP: 'icc', // 11.3.3.3 when the profile is not kept
};
