/**
 * Regression tests from an adversarial review: TIFF strips are copied as
 * pixels wherever StripOffsets/StripByteCounts say, so a strip pointing at the
 * XMP value, or a byte count covering the IFD and the removed values after the
 * pixels, copied that metadata into the output as "pixels". Such bytes are now
 * zeroed in the copy and reported.
 */
import { describe, expect, it } from 'vitest';
import { sanitizeImage } from '../src/index.js';
import { containsText } from './judges.js';
import { ASCII, buildTiff, type EntrySpec, imageEntries, UNDEFINED } from './tiff-build.js';

const SECRET = 'SECRET-COPIED-AS-PIXELS';
const LZW = 5;

/** An LZW-compressed 4x1 RGB page (no exact-size trimming) whose one strip is `[offset, offset + size)`, with XMP and Artist values. */
function tiffWithStrip(strip: (bytes: Uint8Array) => [offset: number, size: number]): Uint8Array {
  const entries: EntrySpec[] = [
    ...imageEntries(4, 1, 1).map((e) => (e.tag === 259 ? { ...e, value: [LZW] } : e)),
    { tag: 315, type: ASCII, value: `${SECRET}-ARTIST` },
    { tag: 700, type: UNDEFINED, value: Uint8Array.from(Buffer.from(`<x:xmpmeta>${SECRET}-XMP</x:xmpmeta>`)) },
    // An Exif IFD whose maker note (an out-of-line value of the sub-IFD) holds a secret.
    { tag: 34665, type: 4, ifd: { entries: [{ tag: 37500, type: UNDEFINED, value: Uint8Array.from(Buffer.from(`MAKERNOTE-${SECRET}-SERIAL`)) }] } },
  ];
  const build = (segment: [number, number]) => buildTiff({ little: true, ifds: [{ entries, strips: [], extraSegments: [segment] }] });
  return build(strip(build([0, 0]))); // same sizes: the layout does not move
}
const find = (bytes: Uint8Array, text: string) => Buffer.from(bytes).indexOf(text);

const CASES: [name: string, input: Uint8Array][] = [
  ['StripOffsets pointing at the XMP value', tiffWithStrip((b) => [find(b, '<x:xmpmeta>'), 40])],
  ['StripByteCounts covering the removed values and the IFD after them', tiffWithStrip((b) => [find(b, SECRET) - 8, b.length - (find(b, SECRET) - 8)])],
  ['StripOffsets pointing at a maker note inside the Exif IFD', tiffWithStrip((b) => [find(b, 'MAKERNOTE-'), 40])],
];

describe('TIFF: a strip never copies structure or removed metadata as pixels', () => {
  it.each(CASES)('%s', (_name, input) => {
    // Prepare
    expect(containsText(input, SECRET)).toBe(true);

    // Act
    const result = sanitizeImage(input);

    // Assess
    expect(containsText(result.bytes, SECRET)).toBe(false);
    expect(result.removed.map((item) => item.label)).toContain('structure or removed metadata inside a strip or tile, zeroed');
    expect(sanitizeImage(result.bytes).removed).toEqual([]);
  });

  it('leaves a strip that touches no metadata byte for byte', () => {
    const pixels = Uint8Array.from([0x91, 0x92, 0x93, 0x94, 0x95, 0x96]);
    const input = buildTiff({ little: false, ifds: [{ entries: [...imageEntries(4, 1, 1).map((e) => (e.tag === 259 ? { ...e, value: [LZW] } : e)), { tag: 305, type: ASCII, value: 'Software' }], strips: [pixels] }] });
    const result = sanitizeImage(input);
    expect(Buffer.from(result.bytes).includes(Buffer.from(pixels))).toBe(true);
    expect(result.removed.map((item) => item.label)).toEqual(['Software']);
  });
});
