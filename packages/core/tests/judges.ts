/**
 * Independent judges: exifr reads metadata, jpeg-js and pngjs decode pixels,
 * and plain byte searches look for planted secrets and container signatures.
 * None of them uses the core's own parser.
 */
import exifr from 'exifr';
import { expect } from 'vitest';
import { SanitizeError } from '../src/index.js';
import jpegJs from 'jpeg-js';
import { PNG } from 'pngjs';
import { GifReader } from 'omggif';

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
  const parsed = ((await exifr.parse(buffer, EXIFR_EVERYTHING).catch(() => undefined)) ?? {}) as Record<string, unknown>;
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

export interface Pixels {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Decoded pixels, or `undefined` when the decoder cannot read the file (then there is nothing to compare). */
export function decodePixels(bytes: Uint8Array, format: string): Pixels | undefined {
  try {
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

/** The byte signatures present in `output` but not allowed. */
export function leakedSignatures(output: Uint8Array, format: string): string[] {
  const list = format === 'jpeg' ? JPEG_LEAK_SIGNATURES : PNG_LEAK_SIGNATURES;
  return list.filter((signature) => containsText(output, signature));
}

/** True when the JPEG ends right at its EOI or the PNG right after its IEND chunk: no trailer. */
export function endsCleanly(output: Uint8Array, format: string): boolean {
  const n = output.length;
  if (format === 'jpeg') return output[n - 2] === 0xff && output[n - 1] === 0xd9;
  return Buffer.from(output.subarray(n - 12)).equals(Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]));
}

/** WebP chunks as a plain RIFF listing (test-side, independent of the core). */
export function riffChunks(bytes: Uint8Array): { type: string; data: Uint8Array; whole: Uint8Array }[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks = [];
  const end = Math.min(view.length, 8 + view.readUInt32LE(4));
  for (let at = 12; at + 8 <= end; ) {
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
 * PNG IDAT/fdAT payloads, WebP VP8/VP8L/ALPH payloads, GIF image data. Bytes
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
      while (q + 1 < n && !(view[q] === 0xff && view[q + 1] !== 0x00 && (view[q + 1] < 0xd0 || view[q + 1] > 0xd7))) q++;
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
    for (const id of heifImageItems(layout)) for (const extent of layout.items.get(id)?.extents ?? []) ranges.push(extent);
  } else if (format === 'gif') {
    const table = (packed: number) => (packed & 0x80 ? 3 << ((packed & 7) + 1) : 0);
    let p = 13 + table(view[10]);
    while (p < n && view[p] !== 0x3b) {
      const image = view[p] === 0x2c;
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

/** The primary item and what it derives from (`dimg`), recursively: the items a viewer decodes to show the image. */
export function heifImageItems(layout: HeifLayout): Set<number> {
  const kept = new Set([layout.primary]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of layout.references) {
      if (r.type !== 'dimg' || !kept.has(r.from)) continue;
      for (const id of r.to) if (!kept.has(id)) grew = kept.add(id) !== undefined;
    }
  }
  return kept;
}
