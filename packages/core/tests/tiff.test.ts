/**
 * TIFF: hand-built files with planted secrets (II and MM, classic and
 * BigTIFF), hostile variants, and the real-world corpus. The judges are
 * exifr (metadata), UTIF (pixels), plain byte searches, and a small
 * test-side TIFF reader (`tiffLayout`) that locates strips independently of
 * the core.
 */
import { describe, expect, it } from 'vitest';
import { inspectImage, sanitizeImage, SUPPORTED_FORMATS } from '../src/index.js';
import { ascii, baseJpeg, concat, jpegSegment, splitJpeg } from './build.js';
import {
  codeOf,
  containsText,
  exifrSeesImage,
  expectRefused as expectRefusedAs,
  refusalOf,
  sameBytes,
  samePixels,
  sanitizeEachVariant,
  sweepVariants,
  TIFF_RENDERING_TAGS,
  tiffLayout,
  tiffPages,
} from './judges.js';
import { sanitizeOrCode } from './judges/outcome.js';
import { DNG_REFUSAL, RAW_DATA_REFUSAL } from '../src/formats/tiff/index.js';
import { corpusManifest, CORPUS_DIR, fixtureManifest, readCorpus, readFixture } from './load.js';
import {
  ASCII,
  buildTiff,
  type EntrySpec,
  imageEntries,
  LONG,
  RATIONAL,
  rgbPixels,
  SECRETS,
  SHORT,
  stripsOf,
  TIE_POINT,
  typicalTiff,
} from './tiff-build.js';

const ORIENTATION = 274;

interface TiffSeen {
  /** Tags exifr found in IFD0/IFD1 that are not allowed (Orientation apart). */
  unexpected: string[];
  /** Groups other than ifd0, ifd1 and icc (exif, gps, interop, xmp, iptc, ...). */
  otherGroups: string[];
  orientation?: number;
  hasIcc: boolean;
}

/** What exifr finds, in the shape these tests assert on (the judging itself is `exifrSeesImage`). */
async function exifrSeesTiff(bytes: Uint8Array): Promise<TiffSeen> {
  const { groups, orientation, hasIcc } = await exifrSeesImage(bytes, 'tiff');
  const { ifd0 = [], ifd1 = [], ...others } = groups;
  const seen: TiffSeen = { unexpected: [...ifd0.map((tag) => `ifd0:${tag}`), ...ifd1.map((tag) => `ifd1:${tag}`)], otherGroups: Object.keys(others), hasIcc };
  if (orientation !== undefined) seen.orientation = orientation;
  return seen;
}


const expectRefused = (input: Uint8Array, code: string) => expectRefusedAs(input, code, 'tiff');

/** The strip bytes of each page, concatenated: the pixels of an uncompressed TIFF as any reader finds them. */
function stripData(bytes: Uint8Array): Uint8Array[] {
  return tiffLayout(bytes)
    .filter((ifd) => (((ifd.tags.get(254) as number[] | undefined)?.[0] ?? 0) & 1) === 0)
    .map((ifd) => concat(...ifd.segments.map(([start, end]) => bytes.subarray(start, end))));
}

/** One uncompressed RGB page of 16×8 in two strips, with extra entries. */
function onePage(extra: EntrySpec[] = [], little = true): Uint8Array {
  return buildTiff({ little, ifds: [{ entries: [...imageEntries(16, 8, 4), ...extra], strips: stripsOf(rgbPixels(16, 8), 48, 4) }] });
}

/** `input` with the 16-bit value of the first entry for `tag` (in IFD0) replaced. */
function withTagValue(input: Uint8Array, tag: number, value: number): Uint8Array {
  const out = input.slice();
  const view = Buffer.from(out.buffer);
  const ifd = tiffLayout(input)[0].offset;
  for (let i = 0; i < view.readUInt16LE(ifd); i++) {
    const at = ifd + 2 + 12 * i;
    if (view.readUInt16LE(at) === tag) view.writeUInt16LE(value, at + 8);
  }
  return out;
}

// ---------------------------------------------------------------------------

describe('TIFF: hand-built files', () => {
  it('is supported', () => {
    expect(SUPPORTED_FORMATS).toContain('tiff');
  });

  it.each([
    ['II (little-endian)', true],
    ['MM (big-endian)', false],
  ] as const)('%s: removes every planted secret, keeps both pages, the orientation and the ICC profile', async (_name, little) => {
    // Prepare
    const input = typicalTiff(little);
    for (const secret of SECRETS) expect(containsText(input, secret), secret).toBe(true);
    const before = await exifrSeesTiff(input);
    expect(before.otherGroups).toEqual(expect.arrayContaining(['exif', 'gps', 'iptc'])); // the judge sees what was planted
    expect(before.unexpected).toEqual(expect.arrayContaining(['ifd0:271', 'ifd0:315', 'ifd0:65000']));

    // Act
    const result = sanitizeImage(input);
    const output = result.bytes;

    // Assess
    expect(result.format).toBe('tiff');
    for (const secret of SECRETS) expect(containsText(output, secret), secret).toBe(false);
    expect(containsText(output, '<x:xmpmeta')).toBe(false);
    const tiePoint = Buffer.alloc(48);
    TIE_POINT.forEach((v, i) => (little ? tiePoint.writeDoubleLE(v, i * 8) : tiePoint.writeDoubleBE(v, i * 8)));
    expect(Buffer.from(output).includes(tiePoint)).toBe(false);
    expect(output[0]).toBe(little ? 0x49 : 0x4d);

    const after = await exifrSeesTiff(output);
    expect(after.unexpected).toEqual([]);
    expect(after.otherGroups).toEqual([]);
    expect(after.orientation).toBe(6);
    expect(after.hasIcc).toBe(true);

    const pagesIn = tiffPages(input)!;
    const pagesOut = tiffPages(output)!;
    expect(pagesIn.map((p) => `${p.width}x${p.height}`)).toEqual(['16x8', '8x4']);
    expect(pagesOut.length).toBe(2);
    pagesIn.forEach((page, i) => expect(samePixels(page, pagesOut[i]), `page ${i}`).toBe(true));
    expect(stripData(output)).toEqual(stripData(input));
    expect(tiffLayout(output).map((ifd) => (ifd.tags.get(297) as number[] | undefined) ?? [])).toEqual([[], [1, 2]]); // PageNumber kept

    const removed = result.removed.map((item) => `${item.kind}:${item.label}`);
    expect(removed).toEqual(
      expect.arrayContaining([
        'exif:Make',
        'exif:Artist',
        'exif:ImageDescription',
        'exif:Exif IFD',
        'exif:GPS IFD',
        'exif:GeoTIFF',
        'xmp:XMP',
        'iptc:IPTC',
        'unknown:tag 65000',
        'thumbnail:reduced-resolution image',
        'exif:Software',
      ]),
    );
    expect(result.kept.map((item) => `${item.kind}:${item.label}`)).toEqual(['orientation:Orientation 6', 'icc:ICC profile']);
    for (const item of [...result.removed, ...result.kept]) expect(item.offset + item.length).toBeLessThanOrEqual(input.length);
  });

  it('drops the orientation and the ICC profile when asked, and reports them', async () => {
    const input = typicalTiff(true);
    const result = sanitizeImage(input, { keepOrientation: false, keepColorProfile: false });
    const seen = await exifrSeesTiff(result.bytes);
    expect(seen.orientation).toBeUndefined();
    expect(seen.hasIcc).toBe(false);
    expect(seen.unexpected).toEqual([]);
    expect(result.kept).toEqual([]);
    expect(result.removed.map((item) => `${item.kind}:${item.label}`)).toEqual(expect.arrayContaining(['orientation:Orientation 6', 'icc:ICC profile']));
    expect(sanitizeImage(result.bytes, { keepOrientation: false, keepColorProfile: false }).removed).toEqual([]);
    expect(samePixels(tiffPages(result.bytes)![0], tiffPages(input)![0])).toBe(true);
  });

  it('drops Orientation 1 (nothing to keep) and reports the input orientation in inspectImage', () => {
    const input = onePage([{ tag: 274, type: SHORT, value: [1] }]);
    const result = sanitizeImage(input);
    expect(tiffLayout(result.bytes)[0].tags.has(274)).toBe(false);
    expect(result.removed.map((item) => item.label)).toContain('Orientation 1');
    expect(inspectImage(typicalTiff(false)).orientation).toBe(6);
  });

  it.each([
    ['II', true],
    ['MM', false],
  ] as const)('%s: is idempotent: a second pass changes nothing and removes nothing', (_name, little) => {
    for (const options of [{}, { keepOrientation: false, keepColorProfile: false }]) {
      const once = sanitizeImage(typicalTiff(little), options);
      const twice = sanitizeImage(once.bytes, options);
      expect(sameBytes(twice.bytes, once.bytes)).toBe(true);
      expect(twice.removed).toEqual([]);
    }
  });

  it('removes an EXIF-style IFD1 that holds only a JPEG thumbnail', () => {
    const thumbnail = concat([0xff, 0xd8], splitJpeg(baseJpeg(8, 8)).rest);
    const page = { entries: imageEntries(16, 8, 4), strips: stripsOf(rgbPixels(16, 8), 48, 4) };
    const ifd1 = (at: number) => ({ entries: [{ tag: 259, type: SHORT, value: [6] }, { tag: 513, type: LONG, value: [at] }, { tag: 514, type: LONG, value: [thumbnail.length] }] });
    const size = buildTiff({ little: true, ifds: [page, ifd1(0)], trailer: thumbnail }).length;
    const input = buildTiff({ little: true, ifds: [page, ifd1(size - thumbnail.length)], trailer: thumbnail });
    const result = sanitizeImage(input);
    expect(tiffLayout(result.bytes).length).toBe(1);
    expect(result.removed.map((item) => `${item.kind}:${item.container}`)).toContain('thumbnail:IFD1');
    expect(Buffer.from(input).includes(Buffer.from(thumbnail))).toBe(true);
    expect(Buffer.from(result.bytes).includes(Buffer.from(thumbnail.subarray(0, 32)))).toBe(false);
  });

  it('writes word-aligned IFDs, values and strips', () => {
    const output = sanitizeImage(typicalTiff(true)).bytes;
    for (const ifd of tiffLayout(output)) {
      expect(ifd.offset % 2).toBe(0);
      for (const [start] of ifd.segments) expect(start % 2).toBe(0);
    }
  });

  it('handles BigTIFF (II and MM): same strips, secrets gone, idempotent', () => {
    for (const little of [true, false]) {
      const input = typicalTiff(little, true);
      const result = sanitizeImage(input);
      expect(result.bytes[2] + result.bytes[3]).toBe(43); // still BigTIFF
      for (const secret of SECRETS) expect(containsText(result.bytes, secret), secret).toBe(false);
      expect(stripData(result.bytes)).toEqual(stripData(input));
      expect(stripData(result.bytes).length).toBe(2);
      const layout = tiffLayout(result.bytes);
      expect([...layout[0].tags.keys()].filter((tag) => !TIFF_RENDERING_TAGS.has(tag) && tag !== ORIENTATION)).toEqual([]);
      expect(layout[0].tags.get(274)).toEqual([6]);
      const again = sanitizeImage(result.bytes);
      expect(sameBytes(again.bytes, result.bytes)).toBe(true);
      expect(again.removed).toEqual([]);
    }
  });

  it('keeps tiled images: every tile byte for byte', () => {
    const pixels = rgbPixels(32, 32, 5);
    const tile = (tx: number, ty: number) => {
      const out = new Uint8Array(16 * 16 * 3);
      for (let y = 0; y < 16; y++) out.set(pixels.subarray(((ty * 16 + y) * 32 + tx * 16) * 3, ((ty * 16 + y) * 32 + tx * 16 + 16) * 3), y * 48);
      return out;
    };
    const entries = imageEntries(32, 32, 32).filter((e) => e.tag !== 278);
    const input = buildTiff({
      little: true,
      ifds: [{ entries: [...entries, { tag: 322, type: SHORT, value: [16] }, { tag: 323, type: SHORT, value: [16] }, { tag: 271, type: ASCII, value: 'SECRET-MAKE' }], tiles: [tile(0, 0), tile(1, 0), tile(0, 1), tile(1, 1)] }],
    });
    const result = sanitizeImage(input);
    expect(containsText(result.bytes, 'SECRET-MAKE')).toBe(false);
    expect(stripData(result.bytes)).toEqual(stripData(input));
    const [before] = tiffPages(input)!;
    const [after] = tiffPages(result.bytes)!;
    expect(samePixels(before, after)).toBe(true);
    expect(before.data.subarray(0, 4)).toEqual(Uint8Array.from([...pixels.subarray(0, 3), 255]));
  });

  it('copies overlapping strips, each on its own', () => {
    const strip = rgbPixels(16, 4);
    // The second strip is the first (written right after the 8-byte header): both halves share their data.
    const shared = buildTiff({ little: false, ifds: [{ entries: imageEntries(16, 8, 4), strips: [strip], extraSegments: [[8, strip.length]] }] });
    const result = sanitizeImage(shared);
    const pages = tiffPages(result.bytes)!;
    expect(samePixels(pages[0], tiffPages(shared)![0])).toBe(true);
    expect(tiffLayout(result.bytes)[0].segments.length).toBe(2);
  });

  it('drops strips beyond the image geometry, and what they hold', () => {
    const input = buildTiff({
      little: true,
      ifds: [{ entries: imageEntries(16, 8, 4), strips: [...stripsOf(rgbPixels(16, 8), 48, 4), ascii('SECRET-EXTRA-STRIP')] }],
    });
    const result = sanitizeImage(input);
    expect(containsText(result.bytes, 'SECRET-EXTRA-STRIP')).toBe(false);
    expect(tiffLayout(result.bytes)[0].segments.length).toBe(2);
    expect(result.removed.map((item) => item.label)).toContain('1 strips beyond the image');
    expect(samePixels(tiffPages(result.bytes)![0], tiffPages(input)![0])).toBe(true);
  });

  it('cuts uncompressed strips to the size their rows need: bytes after the pixels go', () => {
    const [first, second] = stripsOf(rgbPixels(16, 8), 48, 4);
    const input = buildTiff({ little: false, ifds: [{ entries: imageEntries(16, 8, 4), strips: [concat(first, ascii('SECRET-AFTER-PIXELS')), second] }] });
    const result = sanitizeImage(input);
    expect(containsText(result.bytes, 'SECRET-AFTER-PIXELS')).toBe(false);
    expect(stripData(result.bytes)).toEqual([concat(first, second)]);
    expect(result.removed.map((item) => item.label)).toContain('19 bytes after the pixels of uncompressed strips');
    expect(samePixels(tiffPages(result.bytes)![0], tiffPages(input)![0])).toBe(true);
  });

  it('drops a display tag of an unexpected type (XResolution as text), refuses a decoding tag of one', () => {
    const input = onePage([{ tag: 318, type: ASCII, value: 'SECRET-WHITEPOINT' }]);
    const result = sanitizeImage(input);
    expect(containsText(result.bytes, 'SECRET-WHITEPOINT')).toBe(false);
    expect(result.removed.map((item) => item.label)).toContain('WhitePoint, unexpected type or count');
    expectRefused(buildTiff({ little: true, ifds: [{ entries: [...imageEntries(16, 8, 4).filter((e) => e.tag !== 258), { tag: 258, type: ASCII, value: 'SECRET' }], strips: stripsOf(rgbPixels(16, 8), 48, 4) }] }), 'MALFORMED');
    expectRefused(onePage([{ tag: 320, type: SHORT, value: [1, 2, 3] }]), 'MALFORMED'); // a ColorMap of the wrong size
  });

  it('drops JPEGTables in an image that is not JPEG-compressed (bytes no decoder reads)', () => {
    const result = sanitizeImage(onePage([{ tag: 347, type: 7, value: ascii('SECRET-TABLES') }]));
    expect(containsText(result.bytes, 'SECRET-TABLES')).toBe(false);
    expect(result.removed.map((item) => item.label)).toContain('JPEGTables, unused without JPEG compression');
  });

  it('zeroes the unused bytes of values held in an entry', () => {
    // A SHORT value uses 2 of the entry's 4 bytes; the other 2 are written as zeros whatever the input held.
    const input = onePage();
    const ifd = tiffLayout(input)[0].offset;
    const view = Buffer.from(input.buffer);
    for (let i = 0; i < view.readUInt16LE(ifd); i++) {
      const at = ifd + 2 + 12 * i;
      if (view.readUInt16LE(at + 2) === SHORT && view.readUInt32LE(at + 4) === 1) view.write('Zz', at + 10, 'latin1');
    }
    expect(containsText(input, 'Zz')).toBe(true);
    expect(containsText(sanitizeImage(input).bytes, 'Zz')).toBe(false);
  });

  it('keeps JPEG-compressed strips (Compression 7) that carry only coding segments', () => {
    const { rest } = splitJpeg(baseJpeg(16, 8)); // DQT ... EOI of a jpeg-js image, without its JFIF APP0
    const stream = concat([0xff, 0xd8], rest);
    const entries = imageEntries(16, 8, 8).map((e) => (e.tag === 259 ? { ...e, value: [7] } : e.tag === 262 ? { ...e, value: [6] } : e));
    const input = buildTiff({ little: true, ifds: [{ entries, strips: [stream] }] });
    const result = sanitizeImage(input);
    expect(stripData(result.bytes)).toEqual([stream]);
    expect(sanitizeImage(result.bytes).removed).toEqual([]);
  });

  it.each([
    ['an APP1 segment', (rest: Uint8Array) => concat([0xff, 0xd8], jpegSegment(0xe1, 'Exif\0\0SECRET'), rest)],
    ['a COM segment', (rest: Uint8Array) => concat([0xff, 0xd8], jpegSegment(0xfe, 'SECRET'), rest)],
    ['its JFIF APP0', () => baseJpeg(16, 8)],
    ['data after EOI', (rest: Uint8Array) => concat([0xff, 0xd8], rest, ascii('SECRET'))],
  ])('refuses JPEG-compressed strips holding %s', (_name, build) => {
    const { rest } = splitJpeg(baseJpeg(16, 8));
    const entries = imageEntries(16, 8, 8).map((e) => (e.tag === 259 ? { ...e, value: [7] } : e));
    expectRefused(buildTiff({ little: true, ifds: [{ entries, strips: [build(rest)] }] }), 'UNSUPPORTED_FORMAT');
  });

  const compression = (value: number) => imageEntries(16, 8, 4).map((e) => (e.tag === 259 ? { ...e, value: [value] } : e));
  const strips = () => stripsOf(rgbPixels(16, 8), 48, 4);
  const withoutTag = (tag: number) => buildTiff({ little: true, ifds: [{ entries: imageEntries(16, 8, 4).filter((e) => e.tag !== tag), strips: strips() }] });

  it.each([
    ['a DNG (DNGVersion)', () => onePage([{ tag: 50706, type: 1, value: Uint8Array.from([1, 4, 0, 0]) }]), 'UNSUPPORTED_FORMAT'],
    ['camera raw data (CFA)', () => withTagValue(onePage(), 262, 32803), 'UNSUPPORTED_FORMAT'],
    ['old-style JPEG (Compression 6)', () => buildTiff({ little: true, ifds: [{ entries: compression(6), strips: strips() }] }), 'UNSUPPORTED_FORMAT'],
    ['an unknown compression (JPEG 2000)', () => buildTiff({ little: true, ifds: [{ entries: compression(34712), strips: strips() }] }), 'UNSUPPORTED_FORMAT'],
    ['a BigTIFF header whose offsets are not 8 bytes', () => concat([0x49, 0x49, 0x2b, 0x00, 4, 0, 0, 0], new Uint8Array(20)), 'MALFORMED'],
    ['only a reduced-resolution image', () => onePage([{ tag: 254, type: LONG, value: [1] }]), 'UNSUPPORTED_FORMAT'],
    ['no IFD (offset 0)', () => concat([0x49, 0x49, 0x2a, 0x00], new Uint8Array(20)), 'MALFORMED'],
    ['an IFD pointing into the header', () => concat([0x49, 0x49, 0x2a, 0x00, 4, 0, 0, 0], new Uint8Array(20)), 'MALFORMED'],
    ['no ImageWidth', () => withoutTag(256), 'MALFORMED'],
    ['fewer strips than the image needs', () => buildTiff({ little: true, ifds: [{ entries: imageEntries(16, 8, 4), strips: strips().slice(0, 1) }] }), 'MALFORMED'],
    ['RowsPerStrip 0', () => withTagValue(onePage(), 278, 0), 'MALFORMED'],
    ['a tag twice', () => onePage([{ tag: 256, type: SHORT, value: [16] }]), 'MALFORMED'],
    ['a strip past the end', () => buildTiff({ little: true, ifds: [{ entries: imageEntries(16, 8, 8), strips: [], extraSegments: [[8, 100_000]] }] }), 'TRUNCATED'],
    ['a cut file', () => typicalTiff(true).subarray(0, 40), 'TRUNCATED'],
  ] as const)('refuses %s', (_name, build, code) => {
    expectRefused(build(), code);
  });

  it.each(['tiff/dng-raw-in-subifd.dng', 'tiff/dng-raw-in-ifd0.dng'])('refuses the DNG %s with the exact reason, pointing at its DNGVersion entry', (file) => {
    // Prepare: where the DNGVersion entry (tag 50706) of IFD0 lies, read test-side
    const input = readFixture(file);
    const view = Buffer.from(input);
    const little = view[0] === 0x49;
    const u16 = (at: number) => (little ? view.readUInt16LE(at) : view.readUInt16BE(at));
    const ifd0 = little ? view.readUInt32LE(4) : view.readUInt32BE(4);
    const entryAt = Array.from({ length: u16(ifd0) }, (_, i) => ifd0 + 2 + 12 * i).find((at) => u16(at) === 50706);
    expect(entryAt).toBeDefined();

    // Act
    const error = refusalOf(() => sanitizeImage(input));

    // Assess
    expect([error.code, error.message, error.format, error.offset]).toEqual(['UNSUPPORTED_FORMAT', DNG_REFUSAL, 'tiff', entryAt]);
    for (const secret of fixtureManifest().find((e) => e.file === file)!.secrets) expect(error.message).not.toContain(secret);
  });

  it('refuses camera raw pixels without DNGVersion (a TIFF/EP CFA image) with the reason and the IFD', () => {
    expect(sanitizeOrCode(withTagValue(onePage(), 262, 32803))).toEqual({ code: 'UNSUPPORTED_FORMAT', message: `IFD0 ${RAW_DATA_REFUSAL}` });
    expect(sanitizeOrCode(withTagValue(onePage(), 262, 34892))).toEqual({ code: 'UNSUPPORTED_FORMAT', message: `IFD0 ${RAW_DATA_REFUSAL}` });
  });

  it('refuses StripOffsets and StripByteCounts of different lengths, and a missing StripByteCounts', () => {
    const input = onePage();
    const view = Buffer.from(input.buffer);
    const ifd = tiffLayout(input)[0].offset;
    const patched = input.slice();
    const removedCounts = input.slice();
    for (let i = 0; i < view.readUInt16LE(ifd); i++) {
      const at = ifd + 2 + 12 * i;
      if (view.readUInt16LE(at) === 279) {
        Buffer.from(patched.buffer).writeUInt32LE(1, at + 4); // count 2 -> 1
        Buffer.from(removedCounts.buffer).writeUInt16LE(65001, at); // StripByteCounts renamed to a private tag
      }
    }
    expectRefused(patched, 'MALFORMED');
    expectRefused(removedCounts, 'MALFORMED');
  });

  it('refuses an IFD chain that loops, more than 1,000 IFDs and more than 100,000 strips', () => {
    const input = onePage();
    const loop = input.slice();
    const ifd = tiffLayout(input)[0].offset;
    const nextAt = ifd + 2 + 12 * Buffer.from(input.buffer).readUInt16LE(ifd);
    Buffer.from(loop.buffer).writeUInt32LE(ifd, nextAt);
    expectRefused(loop, 'MALFORMED');

    const page = { entries: imageEntries(1, 1, 1, 1), strips: [Uint8Array.of(0x80)] };
    expectRefused(buildTiff({ little: true, ifds: Array.from({ length: 1001 }, () => page) }), 'LIMIT_EXCEEDED');

    const tall = imageEntries(1, 1, 1, 1).map((e) => (e.tag === 257 ? { tag: 257, type: LONG, value: [100_001] } : e));
    expectRefused(buildTiff({ little: true, ifds: [{ entries: tall, strips: [Uint8Array.of(0x80)], extraSegments: Array.from({ length: 100_000 }, () => [8, 1] as [number, number]) }] }), 'LIMIT_EXCEEDED');
  });

  it('refuses strips that overlap so much that the output would explode', () => {
    const big = rgbPixels(64, 64);
    const entries = imageEntries(64, 640, 64);
    const input = buildTiff({ little: true, ifds: [{ entries, strips: [big], extraSegments: Array.from({ length: 9 }, () => [8, big.length] as [number, number]) }] });
    expectRefused(input, 'LIMIT_EXCEEDED');
  });

  it('never throws anything but a coded SanitizeError on truncated or mutated files; cleaned outputs are idempotent and secret-free', () => {
    const input = typicalTiff(true);
    // Every byte of the header and of the IFD0 chain's tables.
    const tables = tiffLayout(input).map((ifd) => [ifd.offset, ifd.offset + 2 + 12 * ifd.tags.size + 4]);
    const variants = sweepVariants(input, (at) => at < 8 || tables.some(([start, end]) => at >= start && at < end));
    const { cleaned, problems } = sanitizeEachVariant(variants, (_variant, result, i) => {
      const found: string[] = [];
      const strips = tiffLayout(result.bytes).flatMap((ifd) => ifd.segments);
      for (const secret of SECRETS) {
        const view = Buffer.from(result.bytes);
        for (let at = view.indexOf(secret); at >= 0; at = view.indexOf(secret, at + 1)) {
          if (!strips.some(([start, end]) => at >= start && at + secret.length <= end)) found.push(`variant ${i}: ${secret} outside the strips`);
        }
      }
      return found;
    });
    expect(problems).toEqual([]);
    expect(cleaned).toBeGreaterThan(100);
    expect(codeOf(() => sanitizeImage(input.subarray(0, 7)))).toBe('TRUNCATED');
  });
});

// ---------------------------------------------------------------------------

const manifest = corpusManifest();
if (manifest === undefined) console.warn(`\n*** SKIPPED: TIFF corpus not found at ${CORPUS_DIR} ***\n`);
const corpus = (manifest ?? []).filter((entry) => entry.file.startsWith('tiff/'));

describe.skipIf(manifest === undefined)('real-world corpus (TIFF)', () => {
  it('holds TIFF files to test', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(10);
  });

  it.each(corpus.map((entry) => [entry.file, entry] as const))('%s', async (_file, entry) => {
    // Prepare
    const input = readCorpus(entry.file);
    const isDng = entry.file.endsWith('.dng') || entry.note.startsWith('DNG');

    // Act
    const outcome = sanitizeOrCode(input);
    if ('code' in outcome) {
      // Assess: refused only when broken, or a DNG with the reason the README lists, always with a code
      if (isDng && !entry.broken) expect([outcome.code, outcome.message]).toEqual(['UNSUPPORTED_FORMAT', DNG_REFUSAL]);
      else expect(entry.broken || isDng, `refused (${outcome.code}): ${outcome.message}`).toBe(true);
      expect(outcome.code).not.toBe('INTERNAL');
      return;
    }
    const { result } = outcome;
    expect(isDng, 'a DNG was accepted').toBe(false);

    // Assess
    const output = result.bytes;
    expect(result.format).toBe('tiff');
    const seen = await exifrSeesTiff(output);
    expect(seen.unexpected).toEqual([]);
    expect(seen.otherGroups).toEqual([]);
    for (const mark of ['<x:xmpmeta', 'http://ns.adobe.com/xap/1.0/', '<rdf:RDF', 'Photoshop 3.0', '8BIM']) expect(containsText(output, mark), mark).toBe(false);

    expect(stripData(output)).toEqual(stripData(input).slice(0, stripData(output).length));
    const before = tiffPages(input);
    if (before !== undefined) {
      const after = tiffPages(output)!;
      expect(after.length).toBe(before.length);
      before.forEach((page, i) => expect(samePixels(page, after[i]), `page ${i}`).toBe(true));
    }

    const kinds = new Set(result.removed.map((item) => item.kind));
    if (/\bXMP\b/.test(entry.metadata)) expect(kinds.has('xmp')).toBe(true);
    if (/\bIPTC\b/.test(entry.metadata)) expect(kinds.has('iptc')).toBe(true);
    if (/\bGPS\b/.test(entry.metadata)) expect(result.removed.map((item) => item.label)).toContain('GPS IFD');
    if (/\bGeoTIFF\b/.test(entry.metadata)) expect(result.removed.map((item) => item.label)).toContain('GeoTIFF');
    if (/ICC_Profile/.test(entry.metadata)) expect(result.kept.map((item) => item.kind)).toContain('icc');

    const again = sanitizeImage(output);
    expect(sameBytes(again.bytes, output), 'idempotent').toBe(true);
    expect(again.removed).toEqual([]);

    const bare = sanitizeImage(input, { keepColorProfile: false, keepOrientation: false });
    const bareSeen = await exifrSeesTiff(bare.bytes);
    expect(bareSeen.hasIcc).toBe(false);
    expect(bareSeen.orientation).toBeUndefined();
  });
});

describe('TIFF: kept values never copy removed bytes (regressions)', () => {
  it('whitepoint-offset-into-artist.tif: the WhitePoint aliasing the Artist text is dropped and reported', () => {
    // Prepare
    const input = readFixture('tiff/whitepoint-offset-into-artist.tif');
    const artist = fixtureManifest().find((e) => e.file === 'tiff/whitepoint-offset-into-artist.tif')!.secrets[0];

    // Act
    const result = sanitizeImage(input);

    // Assess
    expect(containsText(input, artist)).toBe(true);
    expect(containsText(result.bytes, artist)).toBe(false);
    expect(result.removed.map((item) => item.label)).toContain('WhitePoint, shares bytes with structure or removed metadata');
    expect(tiffLayout(result.bytes)[0].tags.has(318)).toBe(false);
  });

  it('drops a kept value that partly overlaps another, refuses a decoding one, range-checks enumerated values', () => {
    const pixels = rgbPixels(4, 2);
    const base = (extra: { tag: number; type: number; value?: number[] }[]) =>
      buildTiff({ little: true, ifds: [{ entries: [...imageEntries(4, 2, 2).filter((e) => !extra.some((x) => x.tag === e.tag)), ...extra], strips: [pixels] }] });
    expect(sanitizeImage(base([{ tag: 296, type: SHORT, value: [0x4142] }])).removed.map((item) => item.label)).toContain('ResolutionUnit, a value TIFF does not define');
    expect(codeOf(() => sanitizeImage(base([{ tag: 284, type: SHORT, value: [0x4142] }])))).toBe('MALFORMED');
    expect(sanitizeImage(base([{ tag: 282, type: RATIONAL, value: [72, 0] }])).removed.map((item) => item.label)).toContain('XResolution, a value TIFF does not define');
  });
});
