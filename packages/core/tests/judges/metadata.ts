/** Metadata judges: what exifr (an independent reader) still sees in an output. */
import exifr from 'exifr';
import { containsText } from './leaks.js';
import { riffChunks } from '../readers/riff.js';
import { tiffLayout } from '../readers/tiff.js';

const EXIFR_EVERYTHING = {
  tiff: true,
  ifd0: true,
  ifd1: true,
  exif: true,
  gps: true,
  interop: true,
  makerNote: true,
  userComment: true,
  xmp: true,
  iptc: true,
  icc: true,
  jfif: false,
  ihdr: false,
  mergeOutput: false,
  sanitize: false,
  reviveValues: false,
  translateKeys: false,
  translateValues: false,
  multiSegment: true,
  silentErrors: true,
} as const;

/**
 * exifr's options, typed loosely: its typings want objects for `ifd0` & co.,
 * while the library (and its documentation) also take `true`.
 */
export type ExifrOptions = Parameters<typeof exifr.parse>[1];

export interface MetadataSeen {
  /** Groups exifr found, with their tag ids (IFD0 is listed without Orientation, which may be kept). */
  groups: Record<string, string[]>;
  orientation?: number;
  hasIcc: boolean;
  hasThumbnail: boolean;
}

/** What exifr finds in the bytes. */
export async function exifrSees(bytes: Uint8Array): Promise<MetadataSeen> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parsed = ((await exifr.parse(buffer, EXIFR_EVERYTHING as unknown as ExifrOptions).catch(() => undefined)) ?? {}) as Record<string, unknown>;
  const groups: Record<string, string[]> = {};
  let orientation: number | undefined;
  let hasIcc = false;
  for (const [group, value] of Object.entries(parsed)) {
    if (value === undefined || value === null || group === 'errors') continue; // exifr's own parse errors are not metadata
    if (group === 'icc') {
      hasIcc = true;
      continue;
    }
    const keys = typeof value === 'object' ? Object.keys(value as object) : [String(value)];
    if (group === 'ifd0') {
      const o = (value as Record<string, unknown>)['274'] ?? (value as Record<string, unknown>)['Orientation'];
      if (typeof o === 'number') orientation = o;
      const rest = keys.filter((k) => k !== '274' && k !== 'Orientation');
      if (rest.length > 0) groups[group] = rest;
      continue;
    }
    if (keys.length > 0) groups[group] = keys;
  }
  const thumbnail = await exifr.thumbnail(buffer).catch(() => undefined);
  const seen: MetadataSeen = { groups, hasIcc, hasThumbnail: thumbnail !== undefined && thumbnail.length > 0 };
  if (orientation !== undefined) seen.orientation = orientation;
  return seen;
}

/**
 * The tags a sanitized TIFF may hold in its IFDs (TIFF 6.0 rendering fields),
 * written out here rather than taken from the core. Orientation (274) is
 * checked apart: present only when kept.
 */
export const TIFF_RENDERING_TAGS = new Set([
  254, 255, 256, 257, 258, 259, 262, 263, 266, 273, 277, 278, 279, 280, 281, 282, 283, 284, 296, 297, 301, 317, 318, 319, 320, 321, 322, 323, 324, 325, 332,
  334, 336, 338, 339, 340, 341, 347, 529, 530, 531, 532, 34675,
]);

/**
 * What exifr finds in an image of any format. exifr reads JPEG, PNG, TIFF and
 * HEIF files itself. It reads neither WebP nor GIF: for WebP it is handed the
 * TIFF inside each EXIF chunk (found by a plain RIFF listing) and the ICC
 * profile is an ICCP chunk; a GIF has no EXIF, its ICC is the ICCRGBG1012
 * application extension. In a TIFF, exifr lists the kept rendering tags of
 * every page (IFD0, IFD1): those in TIFF_RENDERING_TAGS are not metadata,
 * and its thumbnail is looked for by the plain TIFF reader below.
 */
export async function exifrSeesImage(bytes: Uint8Array, format: string): Promise<MetadataSeen> {
  if (format === 'webp') {
    const chunks = riffChunks(bytes);
    const seen: MetadataSeen = { groups: {}, hasIcc: chunks.some((c) => c.type === 'ICCP'), hasThumbnail: false };
    for (const exif of chunks.filter((c) => c.type === 'EXIF')) {
      const tiff = containsText(exif.data.subarray(0, 6), 'Exif\0\0') ? exif.data.subarray(6) : exif.data;
      const inside = await exifrSees(tiff);
      Object.assign(seen.groups, inside.groups);
      if (inside.orientation !== undefined) seen.orientation = inside.orientation;
      seen.hasThumbnail ||= inside.hasThumbnail;
    }
    return seen;
  }
  if (format === 'gif') return { groups: {}, hasIcc: containsText(bytes, 'ICCRGBG1012'), hasThumbnail: false };
  const seen = await exifrSees(bytes);
  if (format === 'tiff') {
    for (const group of ['ifd0', 'ifd1']) {
      const rest = (seen.groups[group] ?? []).filter((tag) => !TIFF_RENDERING_TAGS.has(Number(tag)) && Number(tag) !== 274);
      if (rest.length > 0) seen.groups[group] = rest;
      else delete seen.groups[group];
    }
    // exifr.thumbnail() hands back TIFF bytes for any TIFF; a thumbnail is a reduced-resolution IFD or a JPEG one (513).
    seen.hasThumbnail = tiffLayout(bytes).some((ifd) => (((ifd.tags.get(254) as number[] | undefined)?.[0] ?? 0) & 1) === 1 || ifd.tags.has(513));
  }
  return seen;
}
