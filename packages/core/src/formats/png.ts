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

function fail(code: 'TRUNCATED' | 'MALFORMED' | 'UNSUPPORTED_FORMAT' | 'CHECKSUM_MISMATCH', message: string, offset: number): never {
  throw new SanitizeError(code, message, { format: 'png', offset });
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

    const keep = CRITICAL.has(type) || KEPT_ANCILLARY.has(type) || (type === 'iCCP' && options.keepColorProfile);
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

    if (keep) {
      (type === 'IHDR' ? head : body).push(whole);
      const kind = type === 'iCCP' ? 'icc' : KEPT_ANCILLARY.get(type);
      if (kind !== undefined) kept.push({ kind, container: type, offset: pos, length: end - pos });
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
