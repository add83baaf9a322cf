import { describe, expect, it } from 'vitest';
import { sanitizeImage } from '../src/index.js';
import { appExtension, ascii, concat, GIF_HEAD, GIF_IMAGE, iccProfileWith, riffChunk, subBlocks, tiffWith, VP8L, vp8x, webpFile } from './build.js';
import { codeOf, containsText, gifFrames, riffChunks } from './judges.js';


describe('WebP policy', () => {
  const input = concat(
    webpFile(
      vp8x(0x20 | 0x08 | 0x04),
      riffChunk('ICCP', iccProfileWith()), // a whole profile: text in ICCP is removed (icc.test.ts)
      VP8L,
      riffChunk('EXIF', concat(ascii('Exif\0\0'), tiffWith([{ tag: 0x0112, short: 6 }, { tag: 0x013b, ascii: 'SECRET-WEBP-ARTIST' }]))),
      riffChunk('XMP ', '<x:xmpmeta>SECRET-WEBP-XMP</x:xmpmeta>'),
      riffChunk('prIv', 'SECRET-WEBP-PRIVATE'),
    ),
    ascii('SECRET-WEBP-TRAILER'),
  );

  it('removes EXIF, XMP, unknown chunks and trailers; keeps image, ICC and orientation', () => {
    const result = sanitizeImage(input);
    for (const secret of ['SECRET-WEBP-ARTIST', 'SECRET-WEBP-XMP', 'SECRET-WEBP-PRIVATE', 'SECRET-WEBP-TRAILER']) {
      expect(containsText(result.bytes, secret), secret).toBe(false);
    }
    expect(result.removed.map((item) => item.kind)).toEqual(['exif', 'xmp', 'unknown', 'trailer']);
    const chunks = riffChunks(result.bytes);
    expect(chunks.map((c) => c.type)).toEqual(['VP8X', 'ICCP', 'VP8L', 'EXIF']);
    expect(chunks[0].data[0]).toBe(0x20 | 0x08); // ICC and EXIF flags, XMP flag cleared
    expect(Buffer.from(chunks[2].whole).equals(Buffer.from(VP8L))).toBe(true);
    expect(Buffer.from(result.bytes).readUInt32LE(4)).toBe(result.bytes.length - 8);
    expect(sanitizeImage(result.bytes).removed).toEqual([]);
  });

  it('clears the ICC and EXIF flags when both are dropped', () => {
    const result = sanitizeImage(input, { keepColorProfile: false, keepOrientation: false });
    const chunks = riffChunks(result.bytes);
    expect(chunks.map((c) => c.type)).toEqual(['VP8X', 'VP8L']);
    expect(chunks[0].data[0]).toBe(0);
  });

  it('rebuilds an animation frame without unknown sub-chunks', () => {
    const frameHeader = new Uint8Array(16);
    const anmf = riffChunk('ANMF', concat(frameHeader, VP8L, riffChunk('xTRA', 'SECRET-IN-FRAME')));
    const result = sanitizeImage(webpFile(vp8x(0x02), riffChunk('ANIM', new Uint8Array(6)), anmf));
    expect(containsText(result.bytes, 'SECRET-IN-FRAME')).toBe(false);
    expect(Buffer.from(result.bytes).includes(Buffer.from(VP8L))).toBe(true);
  });

  it('writes padding bytes as zero, so nothing rides in them', () => {
    const odd = riffChunk('VP8L', Uint8Array.from([0x2f, 0x00, 0x00, 0x00, 0x00]));
    odd[odd.length - 1] = 0x53; // 'S' in the padding byte
    const output = sanitizeImage(webpFile(vp8x(0), odd)).bytes;
    expect(output[output.length - 1]).toBe(0);
    expect(Buffer.from(output.subarray(0, output.length - 1)).includes(Buffer.from(odd.subarray(0, odd.length - 1)))).toBe(true);
  });

  it('refuses truncated or imageless files with a code', () => {
    for (let cut = 12; cut < input.length - 19; cut += 3) {
      expect(['TRUNCATED', 'MALFORMED']).toContain(codeOf(() => sanitizeImage(input.subarray(0, cut))));
    }
    expect(codeOf(() => sanitizeImage(webpFile(vp8x(0), riffChunk('EXIF', 'x'))))).toBe('MALFORMED');
  });
});

describe('GIF policy', () => {
  const ICC_BYTES = Buffer.from(iccProfileWith()).toString('latin1'); // clean already: kept byte for byte (text in a profile goes: icc-jpeg-gif.test.ts)
  const loop = concat([0x21, 0xff, 11], ascii('NETSCAPE2.0'), [3, 1, 0, 0, 0]);
  const gce = Uint8Array.from([0x21, 0xf9, 4, 0, 10, 0, 0, 0]);
  const input = concat(
    GIF_HEAD,
    loop,
    concat([0x21, 0xfe], subBlocks('SECRET-GIF-COMMENT')),
    appExtension('XMP DataXMP', '<x:xmpmeta>SECRET-GIF-XMP</x:xmpmeta>'),
    appExtension('ICCRGBG1012', ICC_BYTES),
    gce,
    GIF_IMAGE,
    concat([0x21, 0x01], subBlocks('SECRET-GIF-PLAINTEXT')),
    [0x3b],
    ascii('SECRET-GIF-TRAILER'),
  );

  it('removes comments, XMP, plain text and trailers; keeps frames, looping and ICC', () => {
    const result = sanitizeImage(input);
    for (const secret of ['SECRET-GIF-COMMENT', 'SECRET-GIF-XMP', 'SECRET-GIF-PLAINTEXT', 'SECRET-GIF-TRAILER']) {
      expect(containsText(result.bytes, secret), secret).toBe(false);
    }
    expect(result.removed.map((item) => item.kind)).toEqual(['comment', 'xmp', 'text', 'trailer']);
    expect(Buffer.from(result.bytes).equals(Buffer.from(concat(GIF_HEAD, loop, appExtension('ICCRGBG1012', ICC_BYTES), gce, GIF_IMAGE, [0x3b])))).toBe(true);
    expect(gifFrames(result.bytes)?.length, 'omggif decodes the output').toBe(1);
    expect(containsText(sanitizeImage(input, { keepColorProfile: false }).bytes, 'ICCRGBG1012')).toBe(false);
  });

  it('refuses truncations and stray bytes with a code', () => {
    for (let cut = 6; cut < input.length - 19; cut++) {
      expect(['TRUNCATED', 'MALFORMED']).toContain(codeOf(() => sanitizeImage(input.subarray(0, cut))));
    }
    expect(codeOf(() => sanitizeImage(concat(GIF_HEAD, [0x00], GIF_IMAGE, [0x3b])))).toBe('MALFORMED');
    expect(codeOf(() => sanitizeImage(concat(GIF_HEAD, [0x3b])))).toBe('MALFORMED');
  });

  it('refuses an image whose LZW code size or geometry is impossible (found by fuzzing: an extension turned into an image)', () => {
    const badCodeSize = GIF_IMAGE.slice();
    badCodeSize[10] = 0x62; // 'b': part of an application identifier read as an image
    expect(codeOf(() => sanitizeImage(concat(GIF_HEAD, badCodeSize, [0x3b])))).toBe('MALFORMED');
    const zeroWidth = GIF_IMAGE.slice();
    zeroWidth[5] = 0;
    expect(codeOf(() => sanitizeImage(concat(GIF_HEAD, zeroWidth, [0x3b])))).toBe('MALFORMED');
  });
});
