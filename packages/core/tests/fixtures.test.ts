/**
 * The project's own fixtures (fixtures/manifest.json, made by `npm run fixtures`),
 * judged by independent readers: exifr for metadata (for WebP, on its EXIF
 * chunks), jpeg-js/pngjs/omggif/UTIF/libwebp for pixels, a plain HEIF reader
 * for the image items of HEIC/AVIF, byte search for every planted secret.
 */
import { describe, expect, it } from 'vitest';
import { inspectImage, sanitizeImage } from '../src/index.js';
import { containsText, DECODABLE_FORMATS, refusalOf, decodePixels, endsCleanly, exifrSeesImage, heifImageItems, heifLayout, leakedSignatures, samePixels } from './judges.js';
import { fixtureManifest, readFixture } from './load.js';

const manifest = fixtureManifest();

/** HEIF has no decoder here: the primary item and what it is built from must be there byte for byte (items move: the output is compact). */
function sameImageItems(input: Uint8Array, output: Uint8Array): boolean {
  const before = heifLayout(input);
  const after = heifLayout(output);
  const data = (bytes: Uint8Array, layout: typeof before, id: number) => Buffer.concat((layout.items.get(id)?.extents ?? []).map(([start, end]) => bytes.subarray(start, end)));
  return [...heifImageItems(before)].every((id) => data(input, before, id).length > 0 && data(input, before, id).equals(data(output, after, id))) && after.primary === before.primary;
}
const clean = manifest.filter((entry) => entry.expect === 'clean');
const rejected = manifest.filter((entry) => entry.expect === 'reject');

describe('fixtures that must come out clean', () => {
  it.each(clean.map((entry) => [entry.file, entry] as const))('%s', async (_file, entry) => {
    // Prepare
    const input = readFixture(entry.file);
    for (const secret of entry.secrets) expect(containsText(input, secret), `fixture must carry ${secret}`).toBe(true);

    // Act
    const result = sanitizeImage(input);

    // Assess
    const output = result.bytes;
    for (const secret of entry.secrets) expect(containsText(output, secret), `${secret} leaked`).toBe(false);
    for (const secret of entry.secretsUtf16 ?? []) {
      const utf16 = Buffer.from(secret, 'utf16le').swap16();
      expect(Buffer.from(input).includes(utf16), `fixture must carry ${secret} (UTF-16)`).toBe(true);
      expect(Buffer.from(output).includes(utf16), `${secret} (UTF-16) leaked`).toBe(false);
    }
    expect(leakedSignatures(output, result.format)).toEqual([]);
    expect(endsCleanly(output, result.format)).toBe(true);
    const seen = await exifrSeesImage(output, result.format);
    expect(seen.groups).toEqual({});
    expect(seen.hasThumbnail).toBe(false);
    if (entry.orientation !== 1) expect(seen.orientation).toBe(entry.orientation);
    else expect(seen.orientation).toBeUndefined();
    expect(seen.hasIcc).toBe(entry.icc);
    const reported = new Set([...result.removed, ...result.kept].map((item) => item.kind));
    for (const kind of entry.carries) expect(reported, `${kind} is reported`).toContain(kind);
    if (DECODABLE_FORMATS.includes(result.format)) expect(decodePixels(output, result.format), 'the output decodes').toBeDefined();
    if (result.format === 'heic' || result.format === 'avif') expect(sameImageItems(input, output)).toBe(true);
    if (entry.decodable) {
      const before = decodePixels(input, result.format);
      const after = decodePixels(output, result.format);
      expect(before, 'the fixture decodes').toBeDefined();
      expect(after, 'the output decodes').toBeDefined();
      expect(samePixels(before!, after!)).toBe(true);
    }
    expect(sanitizeImage(output).removed, 'nothing is left to remove').toEqual([]);
  });

  it.each(clean.map((entry) => [entry.file, entry] as const))('%s without ICC and orientation', async (_file, entry) => {
    const result = sanitizeImage(readFixture(entry.file), { keepColorProfile: false, keepOrientation: false });
    const seen = await exifrSeesImage(result.bytes, result.format);
    expect(seen.groups).toEqual({});
    expect(seen.hasIcc).toBe(false);
    expect(seen.orientation).toBeUndefined();
  });
});

describe('fixtures given as a Node Buffer (a Uint8Array whose slice() is a view)', () => {
  it.each(clean.map((entry) => [entry.file, entry] as const))('%s is left untouched and reported the same', (_file, entry) => {
    const input = Buffer.from(readFixture(entry.file)); // pooled for small files: byteOffset != 0
    const before = Buffer.from(input);
    const result = sanitizeImage(input);
    expect(input.equals(before)).toBe(true);
    expect(result.removed).toEqual(sanitizeImage(new Uint8Array(before)).removed);
    expect(inspectImage(input).removable).toEqual(result.removed);
  });
});

describe('fixtures that must be refused', () => {
  it.each(rejected.map((entry) => [entry.file, entry] as const))('%s', (_file, entry) => {
    const input = readFixture(entry.file);
    expect(refusalOf(() => sanitizeImage(input)).code).toBe(entry.code);
  });
});
