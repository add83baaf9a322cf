/**
 * Regression tests from an adversarial review: a kept container (chunk,
 * segment, extension, property) whose declared size is larger than its fields
 * carried any bytes through the sanitizer (e.g. XMP after a PNG gAMA value).
 * Each kept container must now hold exactly its fields: the extra bytes are
 * cut, the container dropped, or the file refused with a code.
 */
import { describe, expect, it } from 'vitest';
import { sanitizeImage } from '../src/index.js';
import { appExtension, ascii, basePng, concat, GIF_HEAD, GIF_IMAGE, iccProfileWith, jpegSegment, jpegWith, pngChunk, pngChunks, pngWith, riffChunk, subBlocks, VP8L, vp8x, webpFile } from './build.js';
import { box, buildHeif, fullBox, HEVC_BYTES, HVCC, ispe, u32 } from './heif-build.js';
import { codeOf, containsText, gifFrames } from './judges.js';

const SECRET = 'SECRET-RIDING-ALONG';
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const APP2 = 0xe2;

/** A PNG whose IEND is replaced by `iend`. */
function pngEndingWith(iend: Uint8Array): Uint8Array {
  const chunks = pngChunks(basePng());
  return concat(PNG_SIGNATURE, ...chunks.slice(0, -1), iend);
}

/** A HEIC whose primary item uses `property` (index 2, after hvcC). */
const heicWithProperty = (property: Uint8Array) =>
  buildHeif({ items: [{ id: 1, type: 'hvc1', data: HEVC_BYTES }], properties: [HVCC, property], associations: [[1, [0x81, 2]]] });

const CLEANED: [name: string, input: Uint8Array, removedLabel: string][] = [
  ['PNG gAMA with text after its 4 bytes', pngWith([pngChunk('gAMA', concat(u32(45455), ascii(SECRET)))]), 'wrong size for its fields'],
  ['PNG pHYs with text after its 9 bytes', pngWith([pngChunk('pHYs', concat(new Uint8Array(9), ascii(SECRET)))]), 'wrong size for its fields'],
  ['PNG sRGB with text after its 1 byte', pngWith([pngChunk('sRGB', concat([0], ascii(SECRET)))]), 'wrong size for its fields'],
  ['PNG tRNS in an RGBA image (alpha already there)', pngWith([pngChunk('tRNS', ascii(SECRET))]), 'wrong size for its fields'],
  ['PNG second gAMA whose 4 bytes spell text', pngWith([pngChunk('gAMA', Uint8Array.from(u32(45455))), pngChunk('gAMA', 'SECR')]), 'a second copy'],
  ['WebP ANIM with text after its 6 bytes', webpFile(vp8x(0x02), riffChunk('ANIM', concat(new Uint8Array(6), ascii(SECRET))), riffChunk('ANMF', concat(new Uint8Array(16), VP8L))), 'bytes after ANIM fields'],
  ['GIF NETSCAPE2.0 with sub-blocks after the loop count', concat(GIF_HEAD, [0x21, 0xff, 11], ascii('NETSCAPE2.0'), [3, 1, 0, 0], subBlocks(SECRET), GIF_IMAGE, [0x3b]), 'sub-blocks after the NETSCAPE2.0 fields'],
  ['GIF Graphic Control Extension with sub-blocks after its block', concat(GIF_HEAD, [0x21, 0xf9, 4, 0, 10, 0, 0], subBlocks(SECRET), GIF_IMAGE, [0x3b]), 'sub-blocks after the Graphic Control fields'],
  ['GIF Graphic Control Extension whose block is text', concat(GIF_HEAD, [0x21, 0xf9], subBlocks(SECRET), GIF_IMAGE, [0x3b]), 'Graphic Control without its defined block'],
  ['GIF ICC extension that is not a profile', concat(GIF_HEAD, appExtension('ICCRGBG1012', SECRET), GIF_IMAGE, [0x3b]), 'ICCRGBG1012, not a whole profile'],
  ['JPEG ICC_PROFILE chunk that is not a profile', jpegWith(jpegSegment(APP2, `ICC_PROFILE\0\x01\x01${SECRET}`)), 'ICC_PROFILE 1/1, not a whole profile'],
  [
    'JPEG ICC_PROFILE chunks with text after the profile',
    jpegWith(jpegSegment(APP2, concat(ascii('ICC_PROFILE\0'), [1, 2], iccProfileWith())), jpegSegment(APP2, concat(ascii('ICC_PROFILE\0'), [2, 2], ascii(SECRET)))),
    'ICC_PROFILE 2/2, not a whole profile',
  ],
  ['HEIF colr prof that is not a profile', heicWithProperty(box('colr', 'prof', SECRET)), 'prof, not a whole profile'],
  ['HEIF colr prof with text after the profile', heicWithProperty(box('colr', 'prof', iccProfileWith(), SECRET)), 'prof, not a whole profile'],
];

describe('a kept container carries nothing beyond its fields', () => {
  it.each(CLEANED)('%s: the extra bytes are removed', (_name, input, removedLabel) => {
    // Act
    const result = sanitizeImage(input);

    // Assess
    expect(containsText(result.bytes, SECRET)).toBe(false);
    expect(result.removed.map((item) => item.label)).toContain(removedLabel);
    const again = sanitizeImage(result.bytes);
    expect(again.removed).toEqual([]);
    expect(Buffer.from(again.bytes).equals(Buffer.from(result.bytes))).toBe(true);
  });

  it('keeps what the rewritten containers define: the GIF loop count and frame delay, the WebP ANIM fields', () => {
    const gif = sanitizeImage(concat(GIF_HEAD, [0x21, 0xff, 11], ascii('NETSCAPE2.0'), [3, 1, 5, 0], subBlocks(SECRET), [0x21, 0xf9, 4, 0, 10, 0, 0], subBlocks(SECRET), GIF_IMAGE, [0x3b]));
    const loop = concat([0x21, 0xff, 11], ascii('NETSCAPE2.0'), [3, 1, 5, 0, 0]);
    expect(Buffer.from(gif.bytes).equals(Buffer.from(concat(GIF_HEAD, loop, [0x21, 0xf9, 4, 0, 10, 0, 0, 0], GIF_IMAGE, [0x3b])))).toBe(true);
    expect(gifFrames(gif.bytes)?.length, 'omggif decodes the output').toBe(1);

    const anim = Uint8Array.from([1, 2, 3, 4, 5, 0]);
    const webp = sanitizeImage(webpFile(vp8x(0x02), riffChunk('ANIM', concat(anim, ascii(SECRET))), riffChunk('ANMF', concat(new Uint8Array(16), VP8L))));
    expect(Buffer.from(webp.bytes).includes(Buffer.from(riffChunk('ANIM', anim)))).toBe(true);
  });

  it('keeps a JPEG ICC profile split over chunks when it is exactly one profile', () => {
    const profile = iccProfileWith('x'.repeat(100));
    const input = jpegWith(jpegSegment(APP2, concat(ascii('ICC_PROFILE\0'), [1, 2], profile.subarray(0, 200))), jpegSegment(APP2, concat(ascii('ICC_PROFILE\0'), [2, 2], profile.subarray(200))));
    expect(sanitizeImage(input).kept.filter((item) => item.kind === 'icc').map((item) => item.label)).toEqual(['ICC_PROFILE 1/2', 'ICC_PROFILE 2/2']);
  });

  const REFUSED: [name: string, input: Uint8Array, code: string][] = [
    ['PNG IEND holding data', pngEndingWith(pngChunk('IEND', SECRET)), 'MALFORMED'],
    ['PNG PLTE that is not whole palette entries', pngWith([pngChunk('PLTE', SECRET)]), 'MALFORMED'],
    ['PNG acTL with text after its 8 bytes', pngWith([pngChunk('acTL', concat(new Uint8Array(8), ascii(SECRET)))]), 'MALFORMED'],
    ['APNG fcTL whose sequence number spells text', pngWith([pngChunk('acTL', concat(u32(1), u32(0))), pngChunk('fcTL', concat(ascii('SECR'), new Uint8Array(22)))]), 'MALFORMED'],
    ['HEIF ispe with text after its fields', heicWithProperty(fullBox('ispe', 0, 0, u32(64), u32(64), SECRET)), 'MALFORMED'],
    ['HEIF irot with text after its byte', heicWithProperty(box('irot', [1], SECRET)), 'MALFORMED'],
    ['HEIF pasp with text after its fields', heicWithProperty(box('pasp', u32(1), u32(1), SECRET)), 'MALFORMED'],
    ['HEIF colr nclx with text after its fields', heicWithProperty(box('colr', 'nclx', [0, 1, 0, 13, 0, 6, 0x80], SECRET)), 'MALFORMED'],
  ];

  it.each(REFUSED)('%s: refused', (_name, input, code) => {
    expect(codeOf(() => sanitizeImage(input))).toBe(code);
  });

  it('still keeps well-formed HEIF properties', () => {
    const input = buildHeif({
      items: [{ id: 1, type: 'hvc1', data: HEVC_BYTES }],
      properties: [HVCC, ispe(64, 64), box('irot', [1]), box('pasp', u32(1), u32(1)), box('colr', 'nclx', [0, 1, 0, 13, 0, 6, 0x80]), box('colr', 'prof', iccProfileWith())],
      associations: [[1, [0x81, 2, 3, 4, 5, 6]]],
    });
    expect(sanitizeImage(input).kept.map((item) => `${item.kind}:${item.container}`)).toEqual(['orientation:irot', 'color:colr', 'icc:colr']);
  });
});
