/**
 * Independent judges: exifr reads metadata, jpeg-js, pngjs, omggif, UTIF and
 * libwebp (@cwasm/webp) decode pixels, and plain byte searches look for
 * planted secrets and container signatures. None of them uses the core's own
 * parser.
 */
import { decode as decodeWebpFile } from '@cwasm/webp';
import exifr from 'exifr';
import { expect } from 'vitest';
import { SanitizeError, sanitizeImage, type SanitizeResult } from '../src/index.js';
import jpegJs from 'jpeg-js';
import { PNG } from 'pngjs';
import { GifReader } from 'omggif';
import UTIF from 'utif';

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

export interface Pixels {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The formats `decodePixels()` has a decoder for. HEIC and AVIF have none here (libheif is not an npm package). */
export const DECODABLE_FORMATS: readonly string[] = ['jpeg', 'png', 'gif', 'tiff', 'webp'];

/** Frames or pages one after the other: the size of the first, the pixels of all. */
function allFrames(frames: Pixels[]): Pixels {
  return { width: frames[0].width, height: frames[0].height, data: Buffer.concat(frames.map((f) => f.data)) };
}

/**
 * A WebP decoded by libwebp (@cwasm/webp). Its simple API refuses
 * animations, so each ANMF frame's image chunks are decoded as a still
 * file of their own (the frames, not the composed animation).
 */
function webpFrames(bytes: Uint8Array): Pixels[] {
  const frames = riffChunks(bytes).filter((c) => c.type === 'ANMF');
  const stills = frames.length === 0 ? [bytes] : frames.map((frame) => webpStill(riffChunks(frame.data, 16)));
  return stills.map((still) => {
    const image = decodeWebpFile(still);
    return { width: image.width, height: image.height, data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength) };
  });
}

/** `RIFF <size> WEBP` around the image chunks (ALPH, VP8, VP8L) of a frame. */
function webpStill(chunks: ReturnType<typeof riffChunks>): Uint8Array {
  const image = chunks.filter((c) => ['ALPH', 'VP8 ', 'VP8L'].includes(c.type)).map((c) => Buffer.from(c.whole));
  const body = Buffer.concat([Buffer.from('WEBP'), ...image]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('RIFF'), size, body]);
}

/**
 * Decoded pixels, or `undefined` when the decoder cannot read the file (then
 * there is nothing to compare). GIF: every frame (omggif); TIFF: every
 * full-resolution page (UTIF); WebP: the still image or every frame (libwebp).
 */
export function decodePixels(bytes: Uint8Array, format: string): Pixels | undefined {
  try {
    if (format === 'gif') {
      const frames = gifFrames(bytes);
      if (frames === undefined || frames.length === 0) return undefined;
      const reader = new GifReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return allFrames(frames.map((data) => ({ width: reader.width, height: reader.height, data })));
    }
    if (format === 'tiff') {
      const pages = tiffPages(bytes);
      return pages === undefined || pages.length === 0 ? undefined : allFrames(pages);
    }
    if (format === 'webp') return allFrames(webpFrames(bytes));
    if (format === 'jpeg') {
      const image = jpegJs.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048, maxResolutionInMP: 200 });
      return { width: image.width, height: image.height, data: image.data };
    }
    if (format === 'png') {
      const image = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: image.width, height: image.height, data: new Uint8Array(image.data) };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

export function samePixels(a: Pixels, b: Pixels): boolean {
  if (a.width !== b.width || a.height !== b.height || a.data.length !== b.data.length) return false;
  return Buffer.compare(Buffer.from(a.data), Buffer.from(b.data)) === 0;
}

/** True when the ASCII/UTF-8 text occurs in the bytes. */
export function containsText(bytes: Uint8Array, text: string): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(Buffer.from(text, 'utf8'));
}

/** Container signatures that must never survive, found by plain byte search. */
export const JPEG_LEAK_SIGNATURES = [
  'http://ns.adobe.com/xap/1.0/',
  'http://ns.adobe.com/xmp/extension/',
  'Photoshop 3.0',
  'JFXX\0',
  'MPF\0',
  'FPXR',
  'Ducky',
];
export const PNG_LEAK_SIGNATURES = ['tEXt', 'zTXt', 'iTXt', 'tIME', 'dSIG', 'XML:com.adobe.xmp'];
const XMP_SIGNATURES = ['<x:xmpmeta', 'http://ns.adobe.com/xap/1.0/'];
export const WEBP_LEAK_SIGNATURES = [...XMP_SIGNATURES, 'XMP '];
export const GIF_LEAK_SIGNATURES = [...XMP_SIGNATURES, 'XMP DataXMP', 'GIFCONnb1.0'];
export const TIFF_LEAK_SIGNATURES = [...XMP_SIGNATURES, 'Photoshop 3.0', '8BIM'];
export const HEIF_LEAK_SIGNATURES = [...XMP_SIGNATURES, 'application/rdf+xml', 'mpvd', 'Exif\0\0'];

const LEAK_SIGNATURES: Record<string, string[]> = {
  jpeg: JPEG_LEAK_SIGNATURES,
  png: PNG_LEAK_SIGNATURES,
  webp: WEBP_LEAK_SIGNATURES,
  gif: GIF_LEAK_SIGNATURES,
  tiff: TIFF_LEAK_SIGNATURES,
  heic: HEIF_LEAK_SIGNATURES,
  avif: HEIF_LEAK_SIGNATURES,
};

/** The byte signatures present in `output` but not allowed. */
export function leakedSignatures(output: Uint8Array, format: string): string[] {
  return (LEAK_SIGNATURES[format] ?? []).filter((signature) => containsText(output, signature));
}

/** The furthest byte any IFD, value or strip of a TIFF reaches, rounded up to a word (TIFF data is word-aligned). */
function tiffEnd(bytes: Uint8Array): number {
  const end = Math.max(8, ...tiffLayout(bytes).map((ifd) => ifd.end));
  return end + (end & 1);
}

/** ISO-BMFF top-level boxes laid end to end from 0: where the last one ends (0 if a size is invalid). */
function boxesEnd(bytes: Uint8Array): number {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + 8 <= view.length) {
    const size = view.readUInt32BE(at);
    const whole = size === 1 ? Number(view.readBigUInt64BE(at + 8)) : size === 0 ? view.length - at : size;
    if (whole < 8) return 0;
    at += whole;
  }
  return at;
}

/**
 * True when nothing follows the image: the JPEG ends right at its EOI, the
 * PNG right after its IEND chunk, the WebP at the end of its RIFF, the GIF at
 * its trailer byte, the HEIF at the end of its last box, the TIFF at the end
 * of the furthest structure its IFDs point at.
 */
export function endsCleanly(output: Uint8Array, format: string): boolean {
  const n = output.length;
  if (format === 'jpeg') return output[n - 2] === 0xff && output[n - 1] === 0xd9;
  if (format === 'png') return Buffer.from(output.subarray(n - 12)).equals(Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]));
  if (format === 'webp') return n >= 12 && Buffer.from(output.buffer, output.byteOffset, n).readUInt32LE(4) + 8 === n;
  if (format === 'gif') return output[n - 1] === 0x3b;
  if (format === 'heic' || format === 'avif') return boxesEnd(output) === n;
  if (format === 'tiff') return tiffEnd(output) === n;
  return false;
}

/** RIFF chunks from `from` (12: the chunks of a WebP file) to the RIFF size's end, as a plain listing (test-side, independent of the core). */
export function riffChunks(bytes: Uint8Array, from = 12): { type: string; data: Uint8Array; whole: Uint8Array }[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks = [];
  const end = from === 12 ? Math.min(view.length, 8 + view.readUInt32LE(4)) : view.length;
  for (let at = from; at + 8 <= end; ) {
    const size = view.readUInt32LE(at + 4);
    const type = view.toString('latin1', at, at + 4);
    chunks.push({ type, data: bytes.subarray(at + 8, at + 8 + size), whole: bytes.subarray(at, at + 8 + size) });
    at += 8 + size + (size & 1);
  }
  return chunks;
}

/** Every frame of a GIF, as RGBA, decoded by omggif; `undefined` when omggif cannot read it. */
export function gifFrames(bytes: Uint8Array): Uint8Array[] | undefined {
  try {
    const reader = new GifReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const frames: Uint8Array[] = [];
    for (let i = 0; i < reader.numFrames(); i++) {
      const rgba = new Uint8Array(reader.width * reader.height * 4);
      reader.decodeAndBlitFrameRGBA(i, rgba);
      frames.push(rgba);
    }
    return frames;
  } catch {
    return undefined;
  }
}

/**
 * Where the compressed image data lies, delimited the simple way a decoder
 * would (test-side, independent of the core): JPEG entropy-coded segments,
 * PNG IDAT/fdAT payloads, WebP VP8/VP8L/ALPH payloads, GIF colour tables and
 * image data. Bytes
 * there are pixels to every reader, whatever they spell.
 */
export function imageDataRanges(bytes: Uint8Array, format: string): [number, number][] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ranges: [number, number][] = [];
  const n = view.length;
  if (format === 'jpeg') {
    let p = 2;
    while (p + 1 < n) {
      if (view[p] !== 0xff) return ranges;
      const m = view[p + 1];
      if (m === 0xff) {
        p++;
        continue;
      }
      if (m === 0xd9) return ranges;
      if ((m >= 0xd0 && m <= 0xd8) || m === 0x01) {
        p += 2;
        continue;
      }
      if (p + 4 > n) return ranges;
      const end = p + 2 + view.readUInt16BE(p + 2);
      if (m !== 0xda) {
        p = end;
        continue;
      }
      let q = end;
      // The entropy-coded data ends at the first FF of a run of FFs that a marker byte follows; like
      // libjpeg, FF FF 00 is a fill byte and a stuffed FF, still data.
      for (;;) {
        while (q < n && view[q] !== 0xff) q++;
        let last = q;
        while (last + 1 < n && view[last + 1] === 0xff) last++;
        const next = view[last + 1];
        if (last + 1 >= n || (next !== 0x00 && (next < 0xd0 || next > 0xd7))) break;
        q = last + 2;
      }
      ranges.push([end, q]);
      p = q;
    }
  } else if (format === 'png') {
    for (let p = 8; p + 12 <= n; ) {
      const size = view.readUInt32BE(p);
      const type = view.toString('latin1', p + 4, p + 8);
      if (type === 'IDAT' || type === 'fdAT') ranges.push([p + 8, p + 8 + size]);
      p += 12 + size;
    }
  } else if (format === 'webp') {
    const visit = (chunks: ReturnType<typeof riffChunks>) => {
      for (const c of chunks) {
        const start = c.data.byteOffset - bytes.byteOffset;
        if (['VP8 ', 'VP8L', 'ALPH', 'ANMF'].includes(c.type)) ranges.push([start, start + c.data.length]);
      }
    };
    visit(riffChunks(bytes));
  } else if (format === 'heic' || format === 'avif') {
    const layout = heifLayout(bytes);
    for (const id of heifImageItems(layout, bytes)) for (const extent of layout.items.get(id)?.extents ?? []) ranges.push(extent);
  } else if (format === 'tiff') {
    for (const ifd of tiffLayout(bytes)) ranges.push(...ifd.segments);
  } else if (format === 'gif') {
    const table = (packed: number) => (packed & 0x80 ? 3 << ((packed & 7) + 1) : 0);
    let p = 13 + table(view[10]);
    ranges.push([13, p]); // the global colour table: colours, whatever they spell
    while (p < n && view[p] !== 0x3b) {
      const image = view[p] === 0x2c;
      if (image) ranges.push([p + 1, p + 10 + table(view[p + 9])]); // frame geometry and its local colour table
      let q = image ? p + 10 + table(view[p + 9]) + 1 : p + 2;
      const start = q;
      while (q < n && view[q] !== 0) q += 1 + view[q];
      if (image) ranges.push([start, q]);
      p = q + 1;
    }
  }
  return ranges;
}

/** Offsets of every occurrence of `text` in the bytes that lie outside the image data. */
export function occurrencesOutsideImageData(bytes: Uint8Array, format: string, text: string): number[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ranges = imageDataRanges(bytes, format);
  const needle = Buffer.from(text, 'utf8');
  const outside: number[] = [];
  for (let at = view.indexOf(needle); at >= 0; at = view.indexOf(needle, at + 1)) {
    if (!ranges.some(([start, end]) => at >= start && at + needle.length <= end)) outside.push(at);
  }
  return outside;
}

/** The SanitizeError code `run` throws (failing the test on any other exception), or `undefined` when it returns. */
export function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SanitizeError);
    return (error as SanitizeError).code;
  }
  return undefined;
}

/** One item of a HEIF file, as a plain reader sees it (test-side, independent of the core). */
export interface HeifItem {
  type: string;
  /** Absolute `[start, end)` byte ranges of the item's data. */
  extents: [number, number][];
}

export interface HeifLayout {
  primary: number;
  items: Map<number, HeifItem>;
  references: { type: string; from: number; to: number[] }[];
  /** Every `ipco` property box, as absolute `[start, end)` with its type. */
  properties: { type: string; start: number; end: number }[];
  /** `ipma`: each item's 1-based property indices. */
  associations: Map<number, number[]>;
}

/**
 * A deliberately simple HEIF reader (ISO/IEC 23008-12): top-level boxes,
 * `pitm`, `iinf`, `iloc` (construction methods 0 and 1), `iref`, `ipco`.
 * It trusts the file; use it on files the core has accepted.
 */
export function heifLayout(bytes: Uint8Array): HeifLayout {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes = (from: number, to: number) => {
    const list: { type: string; start: number; end: number; offset: number }[] = [];
    for (let at = from; at + 8 <= to; ) {
      let size = view.readUInt32BE(at);
      let header = 8;
      if (size === 1) {
        size = Number(view.readBigUInt64BE(at + 8));
        header = 16;
      } else if (size === 0) size = to - at;
      if (size < header) break;
      list.push({ type: view.toString('latin1', at + 4, at + 8), start: at + header, end: at + size, offset: at });
      at += size;
    }
    return list;
  };
  const meta = boxes(0, view.length).find((b) => b.type === 'meta')!;
  const children = boxes(meta.start + 4, meta.end);
  const child = (type: string) => children.find((b) => b.type === type);
  const uint = (at: number, size: number) => (size === 0 ? 0 : size === 2 ? view.readUInt16BE(at) : size === 4 ? view.readUInt32BE(at) : Number(view.readBigUInt64BE(at)));

  const pitm = child('pitm')!;
  const primary = uint(pitm.start + 4, view[pitm.start] === 0 ? 2 : 4);

  const items = new Map<number, HeifItem>();
  const iinf = child('iinf')!;
  for (const infe of boxes(iinf.start + 4 + (view[iinf.start] === 0 ? 2 : 4), iinf.end)) {
    const version = view[infe.start];
    if (version < 2) continue;
    const idSize = version === 2 ? 2 : 4;
    const id = uint(infe.start + 4, idSize);
    items.set(id, { type: view.toString('latin1', infe.start + 4 + idSize + 2, infe.start + 4 + idSize + 6), extents: [] });
  }

  const idat = child('idat');
  const iloc = child('iloc')!;
  const version = view[iloc.start];
  const sizes = view.readUInt16BE(iloc.start + 4);
  const [offsetSize, lengthSize, baseSize] = [sizes >> 12, (sizes >> 8) & 15, (sizes >> 4) & 15];
  const indexSize = version > 0 ? sizes & 15 : 0;
  let p = iloc.start + 6;
  const count = uint(p, version < 2 ? 2 : 4);
  p += version < 2 ? 2 : 4;
  for (let i = 0; i < count; i++) {
    const id = uint(p, version < 2 ? 2 : 4);
    p += version < 2 ? 2 : 4;
    const method = version > 0 ? view.readUInt16BE(p) & 15 : 0;
    if (version > 0) p += 2;
    p += 2; // data_reference_index
    const base = uint(p, baseSize) + (method === 1 && idat ? idat.start : 0);
    p += baseSize;
    const extentCount = view.readUInt16BE(p);
    p += 2;
    const extents: [number, number][] = [];
    for (let k = 0; k < extentCount; k++) {
      p += indexSize;
      const start = base + uint(p, offsetSize);
      p += offsetSize;
      extents.push([start, start + uint(p, lengthSize)]);
      p += lengthSize;
    }
    const item = items.get(id);
    if (item && method < 2) item.extents = extents;
  }

  const references: HeifLayout['references'] = [];
  const iref = child('iref');
  if (iref) {
    const idSize = view[iref.start] === 0 ? 2 : 4;
    for (const r of boxes(iref.start + 4, iref.end)) {
      const n = view.readUInt16BE(r.start + idSize);
      const to = Array.from({ length: n }, (_, k) => uint(r.start + idSize + 2 + k * idSize, idSize));
      references.push({ type: r.type, from: uint(r.start, idSize), to });
    }
  }

  const iprp = child('iprp');
  const ipco = iprp ? boxes(iprp.start, iprp.end).find((b) => b.type === 'ipco') : undefined;
  const properties = ipco ? boxes(ipco.start, ipco.end).map((b) => ({ type: b.type, start: b.offset, end: b.end })) : [];
  const associations = new Map<number, number[]>();
  for (const ipma of iprp ? boxes(iprp.start, iprp.end).filter((b) => b.type === 'ipma') : []) {
    const [ipmaVersion, wide] = [view[ipma.start], view[ipma.start + 3] & 1];
    let q = ipma.start + 4;
    const entries = view.readUInt32BE(q);
    q += 4;
    for (let i = 0; i < entries; i++) {
      const id = ipmaVersion < 1 ? view.readUInt16BE(q) : view.readUInt32BE(q);
      q += ipmaVersion < 1 ? 2 : 4;
      const list = associations.get(id) ?? [];
      for (let n = view[q++]; n > 0; n--) {
        list.push(wide ? view.readUInt16BE(q) & 0x7fff : view[q] & 0x7f);
        q += wide ? 2 : 1;
      }
      associations.set(id, list);
    }
  }
  return { primary, items, references, properties, associations };
}

/** The primary item, what it derives from (`dimg`) and, given the bytes, its alpha planes (`auxl` + alpha `auxC`), recursively: the items a viewer decodes. */
export function heifImageItems(layout: HeifLayout, bytes?: Uint8Array): Set<number> {
  const kept = new Set([layout.primary]);
  const isAlpha = (id: number) => {
    if (bytes === undefined) return false;
    return (layout.associations.get(id) ?? []).some((index) => {
      const property = layout.properties[index - 1];
      if (property?.type !== 'auxC') return false;
      const text = Buffer.from(bytes.subarray(property.start, property.end)).toString('latin1');
      return text.includes('auxiliary:alpha') || text.includes('hevc:2015:auxid:1');
    });
  };
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of layout.references) {
      const derives = r.type === 'dimg' && kept.has(r.from);
      const alphaOfKept = r.type === 'auxl' && r.to.some((id) => kept.has(id)) && !kept.has(r.from) && isAlpha(r.from);
      if (derives) for (const id of r.to) if (!kept.has(id)) grew = kept.add(id) !== undefined;
      if (alphaOfKept) grew = kept.add(r.from) !== undefined;
    }
  }
  return kept;
}

/** One IFD of the main chain of a TIFF, as a plain reader sees it (test-side, independent of the core). */
export interface TiffIfd {
  offset: number;
  /** Each tag's values (integer and rational types; a rational as numerator, denominator), by tag id; other types as their raw bytes. */
  tags: Map<number, number[] | Uint8Array>;
  /** Absolute `[start, end)` byte ranges of its strips or tiles. */
  segments: [number, number][];
  /** The furthest byte its table, its values and its strips or tiles reach. */
  end: number;
}

/**
 * A deliberately simple TIFF/BigTIFF reader: the IFD0 chain (stopping at a
 * loop or after 10,000 IFDs), each entry's values, and where the strips or
 * tiles lie. It trusts the file otherwise; it reads nothing past the end.
 */
export function tiffLayout(bytes: Uint8Array): TiffIfd[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.length;
  if (n < 8) return [];
  const little = view[0] === 0x49;
  const big = (little ? view.readUInt16LE(2) : view.readUInt16BE(2)) === 43;
  const u16 = (at: number) => (little ? view.readUInt16LE(at) : view.readUInt16BE(at));
  const u32 = (at: number) => (little ? view.readUInt32LE(at) : view.readUInt32BE(at));
  const u64 = (at: number) => Number(little ? view.readBigUInt64LE(at) : view.readBigUInt64BE(at));
  const offset = (at: number) => (big ? u64(at) : u32(at));
  const sizes: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };
  const [countSize, entrySize, inline] = big ? [8, 20, 8] : [2, 12, 4];
  const ifds: TiffIfd[] = [];
  const seen = new Set<number>();
  for (let at = big ? (n >= 16 ? u64(8) : 0) : u32(4); at !== 0 && !seen.has(at) && ifds.length < 10_000; ) {
    seen.add(at);
    if (at + countSize > n) break;
    const count = big ? u64(at) : u16(at);
    if (at + countSize + count * entrySize + inline > n) break;
    const tags = new Map<number, number[] | Uint8Array>();
    let end = at + countSize + count * entrySize + inline;
    for (let i = 0; i < count; i++) {
      const e = at + countSize + i * entrySize;
      const type = u16(e + 2);
      const valueCount = offset(e + 4);
      const size = (sizes[type] ?? 0) * valueCount;
      const start = size <= inline ? e + 4 + inline : offset(e + 4 + inline);
      if (start + size > n) continue;
      end = Math.max(end, start + size);
      if (type === 3 || type === 4 || type === 16 || type === 13 || type === 5) {
        const values: number[] = [];
        const step = type === 3 ? 2 : type === 16 ? 8 : 4;
        for (let k = 0; k < (type === 5 ? 2 * valueCount : valueCount); k++) values.push(step === 2 ? u16(start + k * 2) : step === 4 ? u32(start + k * 4) : u64(start + k * 8));
        tags.set(u16(e), values);
      } else {
        tags.set(u16(e), bytes.subarray(start, start + size));
      }
    }
    const list = (tag: number) => (Array.isArray(tags.get(tag)) ? (tags.get(tag) as number[]) : []);
    const [offsets, counts] = tags.has(324) ? [list(324), list(325)] : [list(273), list(279)];
    const segments: [number, number][] = offsets.map((o, i) => [o, o + (counts[i] ?? 0)]);
    for (const [, segmentEnd] of segments) end = Math.max(end, segmentEnd);
    ifds.push({ offset: at, tags, segments, end });
    at = offset(at + countSize + count * entrySize);
  }
  return ifds;
}

/**
 * Every full-resolution page of a TIFF (NewSubfileType bit 0 clear), decoded
 * to RGBA by UTIF; `undefined` when UTIF cannot decode them. BigTIFF is not
 * handed to UTIF at all: it does not read it and may abort the process.
 */
export function tiffPages(bytes: Uint8Array): Pixels[] | undefined {
  if (bytes[2] === 43 || bytes[3] === 43) return undefined;
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const pages = UTIF.decode(buffer).filter((ifd) => ((ifd.t254 as number[] | undefined)?.[0] ?? 0) % 2 === 0);
    return pages.map((ifd) => {
      UTIF.decodeImage(buffer, ifd);
      return { width: ifd.width, height: ifd.height, data: new Uint8Array(UTIF.toRGBA8(ifd)) };
    });
  } catch {
    return undefined;
  }
}

/** True when the two byte ranges hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** `sanitizeImage(input)` must throw a SanitizeError with `code` (and `format`, when given). */
export function expectRefused(input: Uint8Array, code: string, format?: string): void {
  try {
    sanitizeImage(input);
    expect.unreachable(`expected ${code}`);
  } catch (error) {
    expect(error).toBeInstanceOf(SanitizeError);
    expect((error as SanitizeError).code, (error as Error).message).toBe(code);
    if (format !== undefined) expect((error as SanitizeError).format).toBe(format);
  }
}

/** Every third truncation of `input`, and four one-byte mutations of each offset `mutable` accepts. */
export function sweepVariants(input: Uint8Array, mutable: (at: number) => boolean): Uint8Array[] {
  const variants: Uint8Array[] = [];
  for (let cut = 0; cut < input.length; cut += 3) variants.push(input.subarray(0, cut));
  for (let at = 0; at < input.length; at++) {
    if (!mutable(at)) continue;
    for (const value of [0x00, 0xff, input[at] ^ 0x01, (input[at] + 8) & 0xff]) {
      const mutated = input.slice();
      mutated[at] = value;
      variants.push(mutated);
    }
  }
  return variants;
}

/**
 * Sanitizes every variant. A refusal must be a SanitizeError with a code other than INTERNAL; an output
 * must re-sanitize to itself with nothing removed; `judge` adds the format's own problems.
 */
export function sanitizeEachVariant(
  variants: Uint8Array[],
  judge: (variant: Uint8Array, result: SanitizeResult, index: number) => string[] = () => [],
): { cleaned: number; problems: string[] } {
  let cleaned = 0;
  const problems: string[] = [];
  variants.forEach((variant, i) => {
    let result;
    try {
      result = sanitizeImage(variant);
    } catch (error) {
      if (!(error instanceof SanitizeError) || error.code === 'INTERNAL') problems.push(`variant ${i}: ${String(error)}`);
      return;
    }
    cleaned++;
    const again = sanitizeImage(result.bytes);
    if (!sameBytes(again.bytes, result.bytes) || again.removed.length > 0) problems.push(`variant ${i}: not idempotent`);
    problems.push(...judge(variant, result, i));
  });
  return { cleaned, problems };
}
