// Floods (issue #8 item 3): hostile runs of tiny containers cost a constant per run, not per container:
// one merged report item with a count, correct output, the same through any chunking, and counts no real
// file reaches refused with LIMIT_EXCEEDED naming the limit.
import { describe, expect, it } from 'vitest';
import { SanitizeError, sanitizeImage } from '../src/index.js';
import { MAX_REPORT_ITEMS } from '../src/formats/findings.js';
import { baseJpeg, basePng, concat, GIF_HEAD, GIF_IMAGE, pngChunk, pngChunks, riffChunk, splitJpeg, VP8L, webpFile } from './build.js';
import { chunked } from './chunked.js';

function repeat(unit: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(unit.length * count);
  for (let i = 0; i < count; i++) out.set(unit, i * unit.length);
  return out;
}

/** The same result through the stream with odd chunk sizes (1 byte included). */
function expectSameChunked(input: Uint8Array, expected: Uint8Array): void {
  for (const sizes of [[1, 2, 3], [4096, 7], [65_536]]) {
    const outcome = chunked(input, sizes);
    expect('bytes' in outcome && Buffer.from(outcome.bytes).equals(Buffer.from(expected)), `chunk sizes ${sizes.join(',')}`).toBe(true);
  }
}

describe('floods are one report item and correct output', () => {
  it('JPEG: 12,000 COM segments', () => {
    const { jfif, rest } = splitJpeg(baseJpeg());
    const flood = repeat(Uint8Array.from([0xff, 0xfe, 0x00, 0x03, 0x41]), 12_000);
    const input = concat([0xff, 0xd8], jfif, flood, rest);
    const result = sanitizeImage(input);
    expect(result.removed).toEqual([{ kind: 'comment', container: 'COM', offset: 2 + jfif.length, length: flood.length, count: 12_000 }]);
    expect(Buffer.from(result.bytes).equals(Buffer.from(baseJpeg()))).toBe(true);
    expectSameChunked(input, result.bytes);
  });

  it('JPEG: 100,000 fill bytes before EOI stream without being held', () => {
    const base = baseJpeg();
    const input = concat(base.subarray(0, base.length - 2), new Uint8Array(100_000).fill(0xff), [0xff, 0xd9]);
    const result = sanitizeImage(input);
    expect(Buffer.from(result.bytes).equals(Buffer.from(base))).toBe(true);
    expectSameChunked(input, result.bytes);
  });

  it('PNG: 20,000 zero-length IDAT chunks are kept, as one run', () => {
    const [ihdr, ...others] = pngChunks(basePng());
    const iend = others.pop()!;
    const empty = repeat(pngChunk('IDAT'), 20_000);
    const input = concat([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], ihdr, ...others, empty, iend);
    const result = sanitizeImage(input);
    expect(result.removed).toEqual([]);
    expect(Buffer.from(result.bytes).equals(Buffer.from(input))).toBe(true);
    expectSameChunked(input, result.bytes);
  });

  it('PNG: 20,000 tEXt chunks with one keyword', () => {
    const [ihdr, ...others] = pngChunks(basePng());
    const text = pngChunk('tEXt', 'Author\0x');
    const input = concat([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], ihdr, repeat(text, 20_000), ...others);
    const result = sanitizeImage(input);
    expect(result.removed).toEqual([{ kind: 'text', container: 'tEXt', offset: 33, length: text.length * 20_000, label: 'Author', count: 20_000 }]);
    expect(Buffer.from(result.bytes).equals(Buffer.from(basePng()))).toBe(true);
    expectSameChunked(input, result.bytes);
  });

  it('GIF: 20,000 comment extensions', () => {
    const comment = Uint8Array.from([0x21, 0xfe, 0x01, 0x41, 0x00]);
    const input = concat(GIF_HEAD, repeat(comment, 20_000), GIF_IMAGE, [0x3b]);
    const result = sanitizeImage(input);
    expect(result.removed).toEqual([{ kind: 'comment', container: 'comment', offset: GIF_HEAD.length, length: comment.length * 20_000, count: 20_000 }]);
    expect(Buffer.from(result.bytes).equals(Buffer.from(concat(GIF_HEAD, GIF_IMAGE, [0x3b])))).toBe(true);
    expectSameChunked(input, result.bytes);
  });

  it('WebP: 20,000 unknown chunks', () => {
    const unknown = riffChunk('ZZZZ', '');
    const input = webpFile(VP8L, repeat(unknown, 20_000));
    const result = sanitizeImage(input);
    expect(result.removed).toEqual([{ kind: 'unknown', container: 'ZZZZ', offset: 12 + VP8L.length, length: unknown.length * 20_000, count: 20_000 }]);
    expect(Buffer.from(result.bytes).equals(Buffer.from(webpFile(VP8L)))).toBe(true);
    expectSameChunked(input, result.bytes);
  });
});

describe('counts no real file reaches', () => {
  it(`refuses more than MAX_REPORT_ITEMS (${MAX_REPORT_ITEMS}) separate items with LIMIT_EXCEEDED naming the limit`, () => {
    // COM and APP15 alternate: no two neighbours merge.
    const pair = concat([0xff, 0xfe, 0x00, 0x03, 0x41], [0xff, 0xef, 0x00, 0x03, 0x42]);
    const { jfif, rest } = splitJpeg(baseJpeg());
    const input = concat([0xff, 0xd8], jfif, repeat(pair, MAX_REPORT_ITEMS), rest);
    let error: unknown;
    try {
      sanitizeImage(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SanitizeError);
    expect((error as SanitizeError).code).toBe('LIMIT_EXCEEDED');
    expect((error as SanitizeError).message).toMatch(/MAX_REPORT_ITEMS/);
    expect(chunked(input, [5, 1])).toEqual({ code: 'LIMIT_EXCEEDED' });
    // Just under the limit is fine.
    expect(sanitizeImage(concat([0xff, 0xd8], jfif, repeat(pair, MAX_REPORT_ITEMS / 2 - 1), rest)).removed.length).toBe(MAX_REPORT_ITEMS - 2);
  });

  it('refuses more than MAX_SCANS scans with LIMIT_EXCEEDED naming the limit', () => {
    const base = baseJpeg();
    let sos = 2;
    while (!(base[sos] === 0xff && base[sos + 1] === 0xda)) sos += 2 + ((base[sos + 2] << 8) | base[sos + 3]);
    const scan = base.subarray(sos, base.length - 2);
    const input = concat(base.subarray(0, sos), repeat(scan, 1001), [0xff, 0xd9]);
    expect(() => sanitizeImage(input)).toThrow(/MAX_SCANS/);
  });
});
