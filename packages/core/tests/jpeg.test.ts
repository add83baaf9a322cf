import { describe, expect, it } from 'vitest';
import { sanitizeImage } from '../src/index.js';
import { ascii, baseJpeg, concat, iccProfileWith, jpegSegment, jpegWith, splitJpeg, tiffWith } from './build.js';
import { codeOf, containsText, decodePixels, exifrSees, samePixels } from './judges.js';

const APP0 = 0xe0;
const APP1 = 0xe1;
const APP2 = 0xe2;
const APP13 = 0xed;
const APP14 = 0xee;
const COM = 0xfe;


const exif = (entries: Parameters<typeof tiffWith>[0]) => jpegSegment(APP1, concat(ascii('Exif\0\0'), tiffWith(entries)));

describe('JPEG policy', () => {
  it('removes COM, APPn, EXIF, XMP and IPTC and keeps the pixels', async () => {
    // Prepare
    const input = jpegWith(
      jpegSegment(COM, 'SECRET-COMMENT'),
      exif([{ tag: 0x013b, ascii: 'SECRET-ARTIST' }]),
      jpegSegment(APP1, 'http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>SECRET-XMP</x:xmpmeta>'),
      jpegSegment(APP13, 'Photoshop 3.0\x008BIM\x04\x04\0\0\0\0\0\x10SECRET-IPTC-BYLN'),
      jpegSegment(0xec, 'Ducky\0SECRET-DUCKY'),
    );

    // Act
    const result = sanitizeImage(input);

    // Assess
    for (const secret of ['SECRET-COMMENT', 'SECRET-ARTIST', 'SECRET-XMP', 'SECRET-IPTC', 'SECRET-DUCKY']) {
      expect(containsText(result.bytes, secret), secret).toBe(false);
    }
    expect((await exifrSees(result.bytes)).groups).toEqual({});
    expect(result.removed.map((item) => item.kind)).toEqual(['comment', 'exif', 'xmp', 'iptc', 'application']);
    expect(result.kept.map((item) => item.kind)).toEqual(['jfif']);
    expect(samePixels(decodePixels(input, 'jpeg')!, decodePixels(result.bytes, 'jpeg')!)).toBe(true);
  });

  it('copies the entropy-coded data byte for byte', () => {
    const input = jpegWith(jpegSegment(COM, 'x'));
    const sos = Buffer.from(input).indexOf(Buffer.from([0xff, 0xda]));
    const output = sanitizeImage(input).bytes;
    expect(Buffer.from(output).includes(Buffer.from(input.subarray(sos)))).toBe(true);
  });

  it('reads FF FF 00 inside a scan as libjpeg does: a fill byte and a stuffed FF, still scan data', () => {
    const { jfif, rest } = splitJpeg(baseJpeg());
    const sos = Buffer.from(rest).indexOf(Buffer.from([0xff, 0xda]));
    const headerEnd = sos + 2 + ((rest[sos + 2] << 8) | rest[sos + 3]);
    const withFill = concat(rest.subarray(0, headerEnd + 2), [0xff, 0xff, 0x00], rest.subarray(headerEnd + 2));
    const output = sanitizeImage(concat([0xff, 0xd8], jfif, withFill)).bytes;
    expect(Buffer.from(output).includes(Buffer.from(withFill.subarray(sos)))).toBe(true);
  });

  it('accepts 0xFF fill bytes before markers (which piexifjs refuses)', () => {
    const { jfif, rest } = splitJpeg(baseJpeg());
    const input = concat([0xff, 0xd8, 0xff, 0xff], jfif, [0xff, 0xff, 0xff], jpegSegment(COM, 'SECRET-FILL'), [0xff], rest);
    const output = sanitizeImage(input).bytes;
    expect(containsText(output, 'SECRET-FILL')).toBe(false);
    expect(samePixels(decodePixels(input, 'jpeg')!, decodePixels(output, 'jpeg')!)).toBe(true);
  });

  it('drops bytes between segments the way libjpeg skips them, and reports them', () => {
    const input = jpegWith(jpegSegment(COM, 'a'), ascii('SECRET-JUNK'), [0xff, 0x00, 0x00, 0x02] as unknown as Uint8Array);
    const result = sanitizeImage(input);
    expect(containsText(result.bytes, 'SECRET-JUNK')).toBe(false);
    expect(result.removed.some((item) => item.container === 'garbage')).toBe(true);
  });

  it('removes everything after the primary EOI: MPF images, videos, leftovers', () => {
    const base = baseJpeg();
    const input = concat(base, base, ascii('....ftypmp42 SECRET-VIDEO'));
    const result = sanitizeImage(input);
    expect(result.bytes.length).toBe(base.length);
    expect(result.removed).toEqual([{ kind: 'trailer', container: 'trailer', offset: base.length, length: input.length - base.length, label: 'JPEG image' }]);
  });

  it('rewrites JFIF without its thumbnail', () => {
    const { rest } = splitJpeg(baseJpeg());
    const jfifWithThumb = jpegSegment(APP0, concat(ascii('JFIF\0'), [1, 2, 0, 0, 1, 0, 1, 2, 1], ascii('SECRETTHUMBN'.slice(0, 6))));
    const input = concat([0xff, 0xd8], jfifWithThumb, rest);
    const result = sanitizeImage(input);
    expect(containsText(result.bytes, 'SECRET')).toBe(false);
    expect(Array.from(result.bytes.subarray(0, 20))).toEqual([0xff, 0xd8, 0xff, 0xe0, 0, 16, ...ascii('JFIF\0'), 1, 2, 0, 0, 1, 0, 1, 0, 0]);
    expect(result.removed.map((item) => item.kind)).toEqual(['thumbnail']);
  });

  it('keeps Adobe APP14 trimmed to its defined fields', () => {
    const input = jpegWith(jpegSegment(APP14, concat(ascii('Adobe'), [0, 100, 0, 0, 0, 0, 1], ascii('SECRET-ADOBE'))));
    const result = sanitizeImage(input);
    expect(containsText(result.bytes, 'SECRET-ADOBE')).toBe(false);
    expect(Buffer.from(result.bytes).includes(Buffer.from([0xff, 0xee, 0, 14, ...ascii('Adobe'), 0, 100, 0, 0, 0, 0, 1]))).toBe(true);
    expect(result.kept.map((item) => item.kind)).toContain('adobe');
  });

  it('keeps orientation as a fresh orientation-only EXIF, and drops it when asked', async () => {
    const input = jpegWith(exif([{ tag: 0x0112, short: 6 }, { tag: 0x010f, ascii: 'SECRET-MAKE' }]));
    const kept = sanitizeImage(input);
    const seen = await exifrSees(kept.bytes);
    expect(seen.orientation).toBe(6);
    expect(seen.groups).toEqual({});
    expect(containsText(kept.bytes, 'SECRET-MAKE')).toBe(false);
    expect(kept.kept.map((item) => item.label)).toContain('Orientation 6');

    const dropped = sanitizeImage(input, { keepOrientation: false });
    expect((await exifrSees(dropped.bytes)).orientation).toBeUndefined();
    expect(containsText(dropped.bytes, 'Exif')).toBe(false);
  });

  it('writes no EXIF at all for orientation 1', () => {
    const output = sanitizeImage(jpegWith(exif([{ tag: 0x0112, short: 1 }]))).bytes;
    expect(containsText(output, 'Exif')).toBe(false);
  });

  it('keeps ICC chunks in order when asked to keep the profile verbatim, and drops them when asked', () => {
    const profile = iccProfileWith('profile-part-1profile-part-2');
    const parts = [profile.subarray(0, 132 + 14), profile.subarray(132 + 14)];
    const icc = (seq: number) => jpegSegment(APP2, concat(ascii('ICC_PROFILE\0'), [seq, 2], parts[seq - 1]));
    const input = jpegWith(icc(1), icc(2));
    const kept = Buffer.from(sanitizeImage(input, { keepColorProfileVerbatim: true }).bytes);
    expect(kept.indexOf('profile-part-1')).toBeGreaterThan(0);
    expect(kept.indexOf('profile-part-2')).toBeGreaterThan(kept.indexOf('profile-part-1'));
    expect(containsText(sanitizeImage(input).bytes, 'profile-part-1'), 'bytes no tag uses are cut by default').toBe(false);
    const dropped = sanitizeImage(input, { keepColorProfile: false });
    expect(containsText(dropped.bytes, 'ICC_PROFILE')).toBe(false);
  });

  it('is idempotent: a sanitized image has nothing left to remove', () => {
    const input = jpegWith(exif([{ tag: 0x0112, short: 8 }]), jpegSegment(COM, 'c'));
    const once = sanitizeImage(input);
    const twice = sanitizeImage(once.bytes);
    expect(twice.removed).toEqual([]);
    expect(Buffer.from(twice.bytes).equals(Buffer.from(once.bytes))).toBe(true);
  });

  it('stays linear on 200,000 one-byte COM segments, reported as one merged item', () => {
    const { jfif, rest } = splitJpeg(baseJpeg());
    const com = Uint8Array.from([0xff, 0xfe, 0x00, 0x03, 0x41]);
    const many = new Uint8Array(com.length * 200_000);
    for (let i = 0; i < 200_000; i++) many.set(com, i * com.length);
    const result = sanitizeImage(concat([0xff, 0xd8], jfif, many, rest));
    expect(result.removed).toEqual([{ kind: 'comment', container: 'COM', offset: 2 + jfif.length, length: many.length, count: 200_000 }]);
    expect(Buffer.from(result.bytes).equals(Buffer.from(baseJpeg()))).toBe(true);
  });
});

describe('JPEG refusals (fail closed)', () => {
  const base = baseJpeg();

  it('refuses a JPEG without EOI as TRUNCATED', () => {
    expect(codeOf(() => sanitizeImage(base.subarray(0, base.length - 2)))).toBe('TRUNCATED');
  });

  it('refuses every truncation before the EOI with TRUNCATED or MALFORMED', () => {
    for (let cut = 3; cut < base.length - 1; cut++) {
      expect(['TRUNCATED', 'MALFORMED', 'UNSUPPORTED_FORMAT']).toContain(codeOf(() => sanitizeImage(base.subarray(0, cut))));
    }
  });

  it('refuses a segment whose length runs past the end as TRUNCATED', () => {
    expect(codeOf(() => sanitizeImage(concat([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xf0], ascii('Exif'))))).toBe('TRUNCATED');
  });

  it('refuses a segment length below 2 as MALFORMED', () => {
    expect(codeOf(() => sanitizeImage(concat([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x01], base.subarray(2))))).toBe('MALFORMED');
  });

  it('refuses an image with no scan as MALFORMED', () => {
    expect(codeOf(() => sanitizeImage(concat([0xff, 0xd8], jpegSegment(COM, 'only metadata'), [0xff, 0xd9])))).toBe('MALFORMED');
  });

  it('refuses a scan before any frame header as MALFORMED', () => {
    const sos = jpegSegment(0xda, Uint8Array.from([1, 1, 0, 0, 63, 0]));
    expect(codeOf(() => sanitizeImage(concat([0xff, 0xd8], sos, [0x12, 0xff, 0xd9])))).toBe('MALFORMED');
  });

  it('refuses tables and headers whose content does not match their structure as MALFORMED', () => {
    const { jfif, rest } = splitJpeg(base);
    const dqtWithPayload = jpegSegment(0xdb, concat([0x00], new Uint8Array(64).fill(1), ascii('SECRET-IN-DQT')));
    expect(codeOf(() => sanitizeImage(concat([0xff, 0xd8], jfif, dqtWithPayload, rest)))).toBe('MALFORMED');
    expect(codeOf(() => sanitizeImage(concat([0xff, 0xd8], jfif, jpegSegment(0xdd, Uint8Array.from([0, 4, 9])), rest)))).toBe('MALFORMED');
  });

  it('refuses a second frame spliced in when an MPF image lost its SOI and EOI (found by fuzzing)', () => {
    const { rest } = splitJpeg(base);
    const primaryWithoutEoi = concat([0xff, 0xd8], rest.subarray(0, rest.length - 2));
    const exifOfSecond = concat(ascii('Exif\0\0MM'), ascii('SECRET-SECOND-MODEL'));
    expect(codeOf(() => sanitizeImage(concat(primaryWithoutEoi, exifOfSecond, rest)))).toBe('MALFORMED');
  });

  it('refuses metadata passing as a DAC table (found by fuzzing)', () => {
    const { jfif, rest } = splitJpeg(base);
    expect(codeOf(() => sanitizeImage(concat([0xff, 0xd8], jfif, jpegSegment(0xcc, 'SECRET-XMP-CITY!'), rest)))).toBe('MALFORMED');
    expect(sanitizeImage(concat([0xff, 0xd8], jfif, jpegSegment(0xcc, Uint8Array.from([0x00, 0x10, 0x10, 0x05])), rest)).bytes.length).toBeGreaterThan(0);
  });

  it('refuses a DHT whose code counts break the Kraft inequality', () => {
    const { jfif, rest } = splitJpeg(base);
    const counts = new Uint8Array(16).fill(0);
    counts[0] = 3; // three codes of length 1 cannot exist
    expect(codeOf(() => sanitizeImage(concat([0xff, 0xd8], jfif, jpegSegment(0xc4, concat([0x00], counts, [1, 2, 3])), rest)))).toBe('MALFORMED');
  });

  it('refuses markers it cannot judge (JPEG-LS, reserved) as UNSUPPORTED_FORMAT', () => {
    const { jfif, rest } = splitJpeg(base);
    expect(codeOf(() => sanitizeImage(concat([0xff, 0xd8], jfif, jpegSegment(0xf7, 'LS'), rest)))).toBe('UNSUPPORTED_FORMAT');
    expect(codeOf(() => sanitizeImage(concat([0xff, 0xd8], jfif, jpegSegment(0x30, 'res'), rest)))).toBe('UNSUPPORTED_FORMAT');
  });
});
