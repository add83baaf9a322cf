/**
 * PNG (ISO/IEC 15948, W3C PNG 3rd edition) and APNG container walker.
 *
 * Positions: a chunk's `offset` is where its length field starts, its
 * `length` is the whole chunk (length + type + data + CRC = data size + 12).
 *
 * Kept: IHDR, PLTE, IDAT, IEND and the ancillary chunks that change how the
 * pixels look (tRNS, gAMA, cHRM, sRGB, iCCP when asked, cICP, mDCv, cLLi,
 * sBIT, bKGD, pHYs) or animate them (acTL, fcTL, fdAT); a fresh
 * orientation-only eXIf when asked and not 1. Everything else is removed,
 * including every byte after IEND. An unknown critical chunk is refused.
 */
import { crc32 } from '../bytes/crc32.js';
import { fourCC, hasAscii, u32be } from '../bytes/read.js';
import { asciiBytes, ByteSink, writeU32be } from '../bytes/write.js';
import { SanitizeError } from '../errors.js';
import { isOrientationOnlyTiff, readOrientation, writeOrientationTiff } from '../metadata/exif.js';
import type { ResolvedOptions } from '../options.js';
import type { MetadataItem, MetadataKind } from '../types.js';
import type { FormatHandler, Plan, WalkMode } from './handler.js';

export const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHUNK_FRAMING = 12; // length (4) + type (4) + CRC (4)
const MAX_CHUNK_DATA = 0x7fffffff; // 5.3: "A four-byte unsigned integer ... limited to 2^31 - 1"
const IHDR_DATA_SIZE = 13;
const IHDR_COLOUR_TYPE = 9; // 11.2.1: width (4), height (4), bit depth (1), colour type, compression, filter, interlace
const IHDR_COMPRESSION = 10;
const IHDR_FILTER = 11;
const IHDR_INTERLACE = 12;
const COLOUR_TYPES = new Set([0, 2, 3, 4, 6]); // 11.2.1 Table 11.1: greyscale, truecolour, indexed, greyscale+alpha, truecolour+alpha
const COLOUR_INDEXED = 3;
const PALETTE_ENTRY_SIZE = 3; // 11.2.2 PLTE: red, green, blue
const MAX_PALETTE_ENTRIES = 256;
const SEQUENCE_SIZE = 4; // APNG fcTL/fdAT: the sequence number opens the chunk
const FCTL_DISPOSE_OP = 24; // APNG fcTL: dispose_op (0..2), then blend_op (0..1)
const FCTL_BLEND_OP = 25;

/**
 * The exact data size of each kept ancillary chunk (11.3; APNG 1.0), by colour
 * type where it depends on it: a kept chunk holds its fields and nothing else,
 * so no bytes ride along. tRNS of an indexed image (at most one byte per palette
 * entry) is checked apart. The APNG chunks (acTL, fcTL, fdAT: a sequence
 * number and image data) of the wrong size are refused, not dropped: the
 * animation would break.
 */
const FIXED_SIZE: Readonly<Record<string, number>> = {
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
const SIZE_BY_COLOUR_TYPE: Readonly<Record<string, Readonly<Record<number, number>>>> = {
  sBIT: { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 }, // 11.3.3.4
  bKGD: { 0: 2, 2: 6, 3: 1, 4: 2, 6: 6 }, // 11.3.4.1
  tRNS: { 0: 2, 2: 6 }, // 11.3.2.1: not allowed with an alpha channel (4, 6)
};
/** Chunks a PNG holds at most once (5.6 Table 5.3); a later copy is removed (PLTE twice is refused). */
const ONCE = new Set(['tRNS', 'gAMA', 'cHRM', 'sRGB', 'cICP', 'mDCv', 'cLLi', 'sBIT', 'bKGD', 'pHYs', 'iCCP', 'acTL']);

/** Critical chunks (first letter upper case) the walker knows. Any other critical chunk is refused. */
const CRITICAL = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND']);

/** Ancillary chunks needed to display the image faithfully, and what the report calls them (undefined: image data). */
const KEPT_ANCILLARY = new Map<string, MetadataKind | undefined>([
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

/** What a removed ancillary chunk is, for the report. */
const REMOVED_KIND: Readonly<Record<string, MetadataKind>> = {
  tEXt: 'text',
  zTXt: 'text',
  iTXt: 'text',
  eXIf: 'exif',
  tIME: 'timestamp',
  iCCP: 'icc',
};

const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isCritical = (type: string) => type.charCodeAt(0) < 0x61; // bit 5 of the first byte clear

/** `length type data crc` for a chunk we write. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(CHUNK_FRAMING + data.length);
  writeU32be(out, 0, data.length);
  out.set(asciiBytes(type), 4);
  out.set(data, 8);
  writeU32be(out, 8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** The keyword of a tEXt/zTXt/iTXt chunk (1-79 Latin-1 characters before a NUL), e.g. `Author`: the field's name, never its value. */
function textKeyword(input: Uint8Array, start: number, end: number): string | undefined {
  let keyword = '';
  for (let i = start; i < end && i < start + 79; i++) {
    const c = input[i];
    if (c === 0) return keyword.length > 0 ? keyword : undefined;
    keyword += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : '?';
  }
  return undefined;
}

/** The profile name every kept iCCP carries: the original name is free text (up to 79 bytes) and goes. */
const ICCP_NAME = 'ICC profile';

/**
 * 11.3.3.3 iCCP: profile name (1-79 bytes), NUL, compression method, zlib
 * stream. The chunk is kept with its compressed profile byte for byte and the
 * name replaced by `ICC profile`; `undefined` (the chunk is removed) when it
 * has no valid name.
 */
function iccpWithNeutralName(input: Uint8Array, pos: number, start: number, size: number, removed: MetadataItem[]): Uint8Array | undefined {
  const whole = input.subarray(pos, start + size + 4);
  if (hasAscii(input, start, `${ICCP_NAME}\0`)) return whole;
  let nul = start;
  while (nul < start + Math.min(size, 80) && input[nul] !== 0) nul++;
  if (nul === start + Math.min(size, 80) || nul === start || nul + 2 > start + size) return undefined;
  removed.push({ kind: 'text', container: 'iCCP', offset: start, length: nul + 1 - start, label: 'profile name' });
  const name = asciiBytes(`${ICCP_NAME}\0`);
  const data = new Uint8Array(name.length + (start + size - (nul + 1)));
  data.set(name);
  data.set(input.subarray(nul + 1, start + size), name.length);
  return chunk('iCCP', data);
}

function fail(code: 'TRUNCATED' | 'MALFORMED' | 'UNSUPPORTED_FORMAT' | 'CHECKSUM_MISMATCH', message: string, offset: number): never {
  throw new SanitizeError(code, message, { format: 'png', offset });
}

/** True when a kept ancillary chunk's data size is exactly what its fields need. */
function hasExactSize(type: string, size: number, colourType: number, paletteEntries: number): boolean {
  if (type in FIXED_SIZE) return size === FIXED_SIZE[type];
  if (type === 'tRNS' && colourType === COLOUR_INDEXED) return size >= 1 && size <= paletteEntries;
  if (type in SIZE_BY_COLOUR_TYPE) return size === SIZE_BY_COLOUR_TYPE[type][colourType];
  return true; // iCCP: keyword, compression method and a zlib stream of any size
}

function walk(input: Uint8Array, options: ResolvedOptions, mode: WalkMode): Plan {
  const n = input.length;
  for (let i = 0; i < PNG_SIGNATURE.length; i++) {
    if (input[i] !== PNG_SIGNATURE[i]) fail('UNSUPPORTED_FORMAT', 'Not a PNG: bad signature', 0);
  }
  const removed: MetadataItem[] = [];
  const kept: MetadataItem[] = [];
  const head = new ByteSink(); // signature + IHDR
  const body = new ByteSink(); // every other kept chunk, IEND last
  head.push(input.subarray(0, PNG_SIGNATURE.length));
  let orientation: number | undefined;
  let exifOffset = 0;
  let exifWasCanonical = false;
  let sawIdat = false;
  let colourType = 0;
  let paletteEntries = 0;
  /** APNG: fcTL and fdAT are numbered 0, 1, 2, ... without gaps; the numbers carry nothing else. */
  let nextSequence = 0;
  const seen = new Set<string>();
  let pos = PNG_SIGNATURE.length;

  for (let index = 0; ; index++) {
    if (pos + CHUNK_FRAMING > n) fail('TRUNCATED', 'The PNG ends before its IEND chunk', pos);
    const size = u32be(input, pos);
    if (size > MAX_CHUNK_DATA) fail('MALFORMED', `Chunk length ${size} exceeds 2^31-1`, pos);
    for (let i = 4; i < 8; i++) {
      if (!isLetter(input[pos + i])) fail('MALFORMED', 'Chunk type is not four ASCII letters', pos);
    }
    const type = fourCC(input, pos + 4);
    const start = pos + 8;
    const end = start + size + 4; // past the CRC
    if (end > n) fail('TRUNCATED', `${type} chunk runs past the end of the input`, pos);
    const whole = input.subarray(pos, end);
    if (isCritical(type) && !CRITICAL.has(type)) fail('UNSUPPORTED_FORMAT', `Unknown critical chunk ${type}`, pos);
    if (index === 0 && (type !== 'IHDR' || size !== IHDR_DATA_SIZE)) fail('MALFORMED', 'The first chunk is not a valid IHDR', pos);
    if (index > 0 && type === 'IHDR') fail('MALFORMED', 'A second IHDR chunk', pos);
    if (type === 'IHDR') {
      colourType = input[start + IHDR_COLOUR_TYPE];
      if (!COLOUR_TYPES.has(colourType) || input[start + IHDR_COMPRESSION] !== 0 || input[start + IHDR_FILTER] !== 0 || input[start + IHDR_INTERLACE] > 1) {
        fail('MALFORMED', 'IHDR holds an unknown colour type, compression, filter or interlace method', pos);
      }
    }
    if (type === 'PLTE') {
      if (seen.has(type)) fail('MALFORMED', 'A second PLTE chunk', pos);
      if (size === 0 || size % PALETTE_ENTRY_SIZE !== 0 || size > MAX_PALETTE_ENTRIES * PALETTE_ENTRY_SIZE) fail('MALFORMED', `PLTE chunk of ${size} bytes`, pos);
      paletteEntries = size / PALETTE_ENTRY_SIZE;
    }
    if (type === 'IEND' && size !== 0) fail('MALFORMED', `IEND chunk holds ${size} bytes`, pos);
    if ((type === 'fcTL' || type === 'acTL') && size !== FIXED_SIZE[type]) fail('MALFORMED', `${type} chunk of ${size} bytes`, pos);
    if (type === 'fdAT' && size <= SEQUENCE_SIZE) fail('MALFORMED', `fdAT chunk of ${size} bytes`, pos);
    if (type === 'fcTL' || type === 'fdAT') {
      if (u32be(input, start) !== nextSequence) fail('MALFORMED', `${type} sequence number ${u32be(input, start)}, expected ${nextSequence}`, pos);
      nextSequence++;
    }
    if (type === 'fcTL' && (input[start + FCTL_DISPOSE_OP] > 2 || input[start + FCTL_BLEND_OP] > 1)) {
      fail('MALFORMED', 'fcTL holds an unknown dispose or blend operation', pos);
    }

    const allowed = CRITICAL.has(type) || KEPT_ANCILLARY.has(type) || (type === 'iCCP' && options.keepColorProfile);
    const invalid = allowed && !CRITICAL.has(type) && !hasExactSize(type, size, colourType, paletteEntries);
    const repeated = allowed && ONCE.has(type) && seen.has(type);
    const keep = allowed && !invalid && !repeated;
    if (keep) seen.add(type);
    if (keep && mode === 'sanitize' && crc32(input, pos + 4, start + size) !== u32be(input, start + size)) {
      fail('CHECKSUM_MISMATCH', `${type} chunk CRC does not match its data`, pos);
    }

    if (type === 'IEND') {
      if (!sawIdat) fail('MALFORMED', 'IEND before any IDAT: the PNG has no image data', pos);
      if (end < n) removed.push({ kind: 'trailer', container: 'trailer', offset: end, length: n - end, label: 'data after IEND' });
      if (options.keepOrientation && orientation !== undefined && orientation !== 1) {
        // Written right after IHDR: before PLTE and IDAT, where every reader looks for it.
        head.push(chunk('eXIf', writeOrientationTiff(orientation)));
        kept.push({ kind: 'orientation', container: 'eXIf', offset: exifOffset, length: 26 + CHUNK_FRAMING, label: `Orientation ${orientation}` });
      }
      head.pushAll(body);
      head.push(whole);
      return { output: head, removed, kept, ...(orientation !== undefined ? { orientation } : {}) };
    }
    if (type === 'IDAT') sawIdat = true;

    if (type === 'eXIf' && orientation === undefined) {
      exifOffset = pos;
      // Some writers keep the JPEG-style `Exif\0\0` prefix that PNG does not have; accept both.
      const tiff = hasAscii(input, start, 'Exif\0\0') ? start + 6 : start;
      orientation = readOrientation(input, tiff, start + size);
      exifWasCanonical = isOrientationOnlyTiff(input, start, start + size);
    }

    const iccp = keep && type === 'iCCP' ? iccpWithNeutralName(input, pos, start, size, removed) : undefined;
    if (iccp !== undefined) {
      body.push(iccp);
      kept.push({ kind: 'icc', container: type, offset: pos, length: end - pos });
    } else if (keep && type === 'iCCP') {
      removed.push({ kind: 'icc', container: type, offset: pos, length: end - pos, label: 'no valid profile name' });
    } else if (keep) {
      (type === 'IHDR' ? head : body).push(whole);
      const kind = KEPT_ANCILLARY.get(type);
      if (kind !== undefined) kept.push({ kind, container: type, offset: pos, length: end - pos });
    } else if (invalid || repeated) {
      removed.push({ kind: 'unknown', container: type, offset: pos, length: end - pos, label: invalid ? 'wrong size for its fields' : 'a second copy' });
    } else if (!(type === 'eXIf' && pos === exifOffset && exifWasCanonical && options.keepOrientation)) {
      const isXmp = type === 'iTXt' && hasAscii(input, start, 'XML:com.adobe.xmp\0');
      const item: MetadataItem = { kind: isXmp ? 'xmp' : (REMOVED_KIND[type] ?? 'unknown'), container: type, offset: pos, length: end - pos };
      const label = isXmp ? 'XMP' : REMOVED_KIND[type] === 'text' ? textKeyword(input, start, start + size) : undefined;
      if (label) item.label = label;
      removed.push(item);
    }
    pos = end;
  }
}

export const png: FormatHandler = {
  format: 'png',
  plan: walk,
};
