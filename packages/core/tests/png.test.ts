import { describe, expect, it } from 'vitest';
import { sanitizeImage } from '../src/index.js';
import { ascii, basePng, concat, iccProfileWith, pngChunk, pngChunks, pngWith, tiffWith, zlib } from './build.js';
import { codeOf, containsText, decodePixels, exifrSees, samePixels } from './judges.js';


const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('PNG policy', () => {
  it('removes text, time, private and unknown chunks and keeps the pixels', () => {
    // Prepare
    const input = pngWith([
      pngChunk('tEXt', 'Author\0SECRET-AUTHOR'),
      pngChunk('zTXt', concat(ascii('Comment\0\0'), zlib('SECRET-ZTXT'))),
      pngChunk('iTXt', 'XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>SECRET-XMP</x:xmpmeta>'),
      pngChunk('tIME', Uint8Array.from([7, 230, 1, 2, 3, 4, 5])),
      pngChunk('prVt', 'SECRET-PRIVATE'),
      pngChunk('gAMA', Uint8Array.from([0, 0, 0xb1, 0x8f])),
    ]);

    // Act
    const result = sanitizeImage(input);

    // Assess
    for (const secret of ['SECRET-AUTHOR', 'SECRET-XMP', 'SECRET-PRIVATE', 'tIME', 'zTXt']) {
      expect(containsText(result.bytes, secret), secret).toBe(false);
    }
    expect(result.removed.map((item) => `${item.container}:${item.kind}`)).toEqual(['tEXt:text', 'zTXt:text', 'iTXt:xmp', 'tIME:timestamp', 'prVt:unknown']);
    expect(result.removed.map((item) => item.label)).toEqual(['Author', 'Comment', 'XMP', undefined, undefined]);
    expect(result.kept.map((item) => item.container)).toEqual(['gAMA']);
    expect(samePixels(decodePixels(input, 'png')!, decodePixels(result.bytes, 'png')!)).toBe(true);
  });

  it('copies IDAT byte for byte', () => {
    const input = pngWith([pngChunk('tEXt', 'a\0b')]);
    const idat = pngChunks(input).find((chunk) => Buffer.from(chunk.subarray(4, 8)).toString() === 'IDAT')!;
    expect(Buffer.from(sanitizeImage(input).bytes).includes(Buffer.from(idat))).toBe(true);
  });

  it('removes everything after IEND', () => {
    const base = basePng();
    const input = concat(base, ascii('IDATSECRET-LEFTOVER'));
    const result = sanitizeImage(input);
    expect(Buffer.from(result.bytes).equals(Buffer.from(base))).toBe(true);
    expect(result.removed[0]).toMatchObject({ kind: 'trailer', offset: base.length });
  });

  it('keeps APNG animation chunks in order', () => {
    const actl = pngChunk('acTL', Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 0]));
    const fctl = pngChunk('fcTL', new Uint8Array(26));
    const output = Buffer.from(sanitizeImage(pngWith([actl, fctl], [pngChunk('tEXt', 'k\0after frames')])).bytes);
    expect(output.indexOf('acTL')).toBeGreaterThan(0);
    expect(output.indexOf('fcTL')).toBeGreaterThan(output.indexOf('acTL'));
    expect(output.includes('after frames')).toBe(false);
  });

  it('keeps orientation as a fresh eXIf and drops the rest of EXIF', async () => {
    const exif = pngChunk('eXIf', tiffWith([{ tag: 0x0112, short: 6 }, { tag: 0x013b, ascii: 'SECRET-ARTIST' }]));
    const result = sanitizeImage(pngWith([exif]));
    expect(containsText(result.bytes, 'SECRET-ARTIST')).toBe(false);
    expect(result.kept.map((item) => item.label)).toEqual(['Orientation 6']);
    const seen = await exifrSees(result.bytes);
    expect(seen.groups).toEqual({});
    expect(sanitizeImage(result.bytes).removed).toEqual([]);
    expect(containsText(sanitizeImage(pngWith([exif]), { keepOrientation: false }).bytes, 'eXIf')).toBe(false);
  });

  it('keeps iCCP by default and drops it when asked', () => {
    const input = pngWith([pngChunk('iCCP', concat(ascii('sRGB\0\0'), zlib(iccProfileWith())))]);
    expect(containsText(sanitizeImage(input).bytes, 'iCCP')).toBe(true);
    expect(containsText(sanitizeImage(input, { keepColorProfile: false }).bytes, 'iCCP')).toBe(false);
  });

  it('removes an iCCP whose compressed data is not one ICC profile (text would ride along)', () => {
    const input = pngWith([pngChunk('iCCP', concat(ascii('sRGB\0\0'), zlib('SECRET-TEXT-POSING-AS-A-PROFILE')))]);
    const result = sanitizeImage(input);
    expect(containsText(result.bytes, 'iCCP')).toBe(false);
    expect(result.removed.filter((item) => item.container === 'iCCP').map((item) => item.kind)).toEqual(['icc']);
    expect(sanitizeImage(result.bytes).removed).toEqual([]);
  });

  it('keeps the compressed ICC profile but replaces its free-text name', () => {
    const compressed = zlib(iccProfileWith());
    const input = pngWith([pngChunk('iCCP', concat(ascii('SECRET-PROFILE-NAME\0\0'), compressed))]);
    const result = sanitizeImage(input);
    expect(containsText(result.bytes, 'SECRET-PROFILE-NAME')).toBe(false);
    expect(Buffer.from(result.bytes).includes(Buffer.from(concat(ascii('iCCPICC profile\0\0'), compressed)))).toBe(true);
    expect(result.removed.map((item) => item.label)).toEqual(['profile name']);
    expect(sanitizeImage(result.bytes).removed).toEqual([]);
  });

  it('ignores a bad CRC on a chunk it removes anyway', () => {
    const bad = pngChunk('tEXt', 'a\0b');
    bad[bad.length - 1] ^= 0xff;
    expect(sanitizeImage(pngWith([bad])).removed.length).toBe(1);
  });
});

describe('PNG refusals (fail closed)', () => {
  const base = basePng();

  it('refuses a kept chunk with a bad CRC as CHECKSUM_MISMATCH', () => {
    const bad = pngChunk('gAMA', Uint8Array.from([0, 0, 0xb1, 0x8f]));
    bad[bad.length - 1] ^= 0xff;
    expect(codeOf(() => sanitizeImage(pngWith([bad])))).toBe('CHECKSUM_MISMATCH');
  });

  it('refuses an unknown critical chunk (Apple CgBI) as UNSUPPORTED_FORMAT', () => {
    const [ihdr, ...rest] = pngChunks(base);
    expect(codeOf(() => sanitizeImage(concat(SIGNATURE, pngChunk('CgBI', new Uint8Array(4)), ihdr, ...rest)))).toBe('UNSUPPORTED_FORMAT');
    expect(codeOf(() => sanitizeImage(concat(SIGNATURE, ihdr, pngChunk('ABCD', 'x'), ...rest)))).toBe('UNSUPPORTED_FORMAT');
  });

  it('refuses a PNG without IEND as TRUNCATED, at every cut', () => {
    for (let cut = 8; cut < base.length; cut++) {
      expect(['TRUNCATED', 'MALFORMED']).toContain(codeOf(() => sanitizeImage(base.subarray(0, cut))));
    }
  });

  it('refuses a first chunk other than IHDR, a second IHDR, or no IDAT as MALFORMED', () => {
    const [ihdr, idat, iend] = pngChunks(base);
    expect(codeOf(() => sanitizeImage(concat(SIGNATURE, pngChunk('tEXt', 'a\0b'), ihdr, idat, iend)))).toBe('MALFORMED');
    expect(codeOf(() => sanitizeImage(concat(SIGNATURE, ihdr, ihdr, idat, iend)))).toBe('MALFORMED');
    expect(codeOf(() => sanitizeImage(concat(SIGNATURE, ihdr, iend)))).toBe('MALFORMED');
  });

  it('refuses a chunk length above 2^31-1 or a non-letter chunk type as MALFORMED', () => {
    const [ihdr] = pngChunks(base);
    expect(codeOf(() => sanitizeImage(concat(SIGNATURE, ihdr, [0x80, 0, 0, 0], ascii('tEXt'), [0, 0, 0, 0])))).toBe('MALFORMED');
    expect(codeOf(() => sanitizeImage(concat(SIGNATURE, ihdr, [0, 0, 0, 0], ascii('t3Xt'), [0, 0, 0, 0])))).toBe('MALFORMED');
  });
});
