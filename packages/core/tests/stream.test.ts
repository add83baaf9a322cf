// SanitizeStream, sanitizeBlob and the inputs people hold (issue #8 items 1 and 4).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isSanitizeError, MAX_BUFFERED_BYTES, sanitizeBlob, SanitizeError, sanitizeImage, SanitizeStream } from '../src/index.js';
import { ascii, baseJpeg, basePng, concat, GIF_HEAD, GIF_IMAGE, jpegSegment, jpegWith, pngChunk, pngWith, VP8L, webpFile } from './build.js';
import { throughStream } from './chunked.js';
import { containsText } from './judges.js';

const SECRET = 'SECRET-OWNER-9f2c';
const jpegWithSecrets = () => jpegWith(jpegSegment(0xfe, SECRET), jpegSegment(0xe1, `Exif\0\0${SECRET}`));

describe('SanitizeStream', () => {
  it.each([
    ['jpeg', jpegWithSecrets()],
    ['png', pngWith([pngChunk('tEXt', `Author\0${SECRET}`)])],
    ['gif', concat(GIF_HEAD, [0x21, 0xfe, SECRET.length], ascii(SECRET), [0], GIF_IMAGE, [0x3b])],
    ['webp', webpFile(VP8L, Uint8Array.from([...ascii('XMP '), SECRET.length, 0, 0, 0, ...ascii(SECRET)]))],
  ])('gives %s byte for byte what sanitizeImage gives, whole and in 1-byte chunks', async (_format, input) => {
    const expected = sanitizeImage(input);
    for (const sizes of [[input.length], [1], [3, 1, 7]]) {
      const { bytes, report } = await throughStream(input, sizes);
      expect(bytes).toEqual(expected.bytes);
      expect(report).toEqual({ format: expected.format, removed: expected.removed, kept: expected.kept });
      expect(containsText(bytes!, SECRET)).toBe(false);
    }
  });

  it('errors on the readable side with the code sanitizeImage throws, and result rejects with it', async () => {
    const truncated = jpegWithSecrets().subarray(0, 40);
    let code;
    try {
      sanitizeImage(truncated);
    } catch (error) {
      code = (error as SanitizeError).code;
    }
    expect(code).toBe('TRUNCATED');
    const { error } = await throughStream(truncated, [5]);
    expect(error).toBeInstanceOf(SanitizeError);
    expect(error!.code).toBe(code);
    expect((await throughStream(ascii('not an image at all'))).error!.code).toBe('UNSUPPORTED_FORMAT');
  });

  it('refuses a chunk that is not bytes with INVALID_ARGUMENT', async () => {
    const stream = new SanitizeStream();
    const writer = stream.writable.getWriter();
    stream.readable.getReader().read().catch(() => {});
    await expect(writer.write('text' as unknown as Uint8Array)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(stream.result).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('does not crash the process when nobody observes result', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const stream = new SanitizeStream();
      const writer = stream.writable.getWriter();
      const read = stream.readable.getReader().read();
      await writer.write(ascii('garbage, not an image')).catch(() => {});
      await writer.close().catch(() => {});
      await expect(read).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('refuses bad options synchronously', () => {
    expect(() => new SanitizeStream({ keepOrientation: 1 as unknown as boolean })).toThrow(SanitizeError);
  });

  it('documents its buffering limit for whole-file formats', () => {
    expect(MAX_BUFFERED_BYTES).toBe(256 * 1024 * 1024);
  });
});

describe('sanitizeImage inputs', () => {
  it('accepts ArrayBuffer and any ArrayBufferView, and never writes into the caller memory', () => {
    const jpeg = jpegWithSecrets();
    const expected = sanitizeImage(jpeg).bytes;
    const backing = new ArrayBuffer(jpeg.length + 16);
    new Uint8Array(backing).set(jpeg, 8);
    const before = new Uint8Array(backing).slice();
    const inputs = [
      backing.slice(8, 8 + jpeg.length),
      new DataView(backing, 8, jpeg.length),
      new Uint8Array(backing, 8, jpeg.length),
      Buffer.from(backing, 8, jpeg.length),
      new Uint16Array(backing, 8, jpeg.length / 2), // 8-aligned, even length
    ];
    expect(jpeg.length % 2).toBe(0);
    for (const input of inputs) expect(sanitizeImage(input).bytes).toEqual(expected);
    expect(new Uint8Array(backing)).toEqual(before);
  });

  it('refuses anything else, naming the argument', () => {
    for (const input of ['x', 42, null, [0xff, 0xd8]]) {
      expect(() => sanitizeImage(input as unknown as Uint8Array)).toThrow(/`input`.*ArrayBuffer/);
    }
  });
});

describe('sanitizeBlob', () => {
  it('returns the clean Blob typed with the detected media type, and the report', async () => {
    const input = pngWith([pngChunk('tEXt', `Author\0${SECRET}`)]);
    const { blob, format, removed, kept } = await sanitizeBlob(new Blob([input], { type: 'application/octet-stream' }));
    const expected = sanitizeImage(input);
    expect(blob.type).toBe('image/png');
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(expected.bytes);
    expect({ format, removed, kept }).toEqual({ format: 'png', removed: expected.removed, kept: expected.kept });
  });

  it('rejects with SanitizeError for a bad image or a non-Blob', async () => {
    await expect(sanitizeBlob(new Blob([basePng().subarray(0, 30)]))).rejects.toMatchObject({ name: 'SanitizeError', code: 'TRUNCATED' });
    await expect(sanitizeBlob('x' as unknown as Blob)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(baseJpeg().length).toBeGreaterThan(0);
  });
});

describe('isSanitizeError across the ESM and CJS builds', () => {
  it('recognises an error made by the other copy, and instanceof agrees', async () => {
    const dist = join(__dirname, '..', 'dist');
    const esm = await import(pathToFileURL(join(dist, 'index.js')).href);
    const cjs = createRequire(import.meta.url)(join(dist, 'index.cjs'));
    expect(esm.SanitizeError).not.toBe(cjs.SanitizeError); // two copies of the class really meet here
    const fromCjs = new cjs.SanitizeError('MALFORMED', 'from the CJS copy');
    const fromEsm = new esm.SanitizeError('TRUNCATED', 'from the ESM copy');
    expect(esm.isSanitizeError(fromCjs)).toBe(true);
    expect(cjs.isSanitizeError(fromEsm)).toBe(true);
    expect(fromCjs instanceof esm.SanitizeError).toBe(true);
    expect(isSanitizeError(fromCjs)).toBe(true);
    let thrown: unknown;
    try {
      cjs.sanitizeImage(ascii('nope'));
    } catch (error) {
      thrown = error;
    }
    expect(esm.isSanitizeError(thrown)).toBe(true);
    for (const other of [new Error('x'), { code: 'MALFORMED', name: 'SanitizeError' }, null, 'SanitizeError']) {
      expect(esm.isSanitizeError(other)).toBe(false);
      expect(cjs.isSanitizeError(other)).toBe(false);
    }
  });
});
