/**
 * The project's own fixtures (fixtures/manifest.json, made by `npm run fixtures`),
 * judged by independent readers: exifr for metadata, jpeg-js/pngjs for pixels,
 * byte search for every planted secret.
 */
import { describe, expect, it } from 'vitest';
import { SanitizeError, sanitizeImage } from '../src/index.js';
import { containsText, decodePixels, endsCleanly, exifrSees, leakedSignatures, samePixels } from './judges.js';
import { fixtureManifest, readFixture } from './load.js';

const manifest = fixtureManifest();
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
    expect(leakedSignatures(output, result.format)).toEqual([]);
    expect(endsCleanly(output, result.format)).toBe(true);
    const seen = await exifrSees(output);
    expect(seen.groups).toEqual({});
    expect(seen.hasThumbnail).toBe(false);
    if (entry.orientation !== 1) expect(seen.orientation).toBe(entry.orientation);
    else expect(seen.orientation).toBeUndefined();
    expect(seen.hasIcc).toBe(entry.icc);
    const reported = new Set([...result.removed, ...result.kept].map((item) => item.kind));
    for (const kind of entry.carries) expect(reported, `${kind} is reported`).toContain(kind);
    expect(decodePixels(output, result.format), 'the output decodes').toBeDefined();
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
    const output = sanitizeImage(readFixture(entry.file), { keepColorProfile: false, keepOrientation: false }).bytes;
    const seen = await exifrSees(output);
    expect(seen.groups).toEqual({});
    expect(seen.hasIcc).toBe(false);
    expect(seen.orientation).toBeUndefined();
  });
});

describe('fixtures that must be refused', () => {
  it.each(rejected.map((entry) => [entry.file, entry] as const))('%s', (_file, entry) => {
    const input = readFixture(entry.file);
    let caught: unknown;
    try {
      sanitizeImage(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SanitizeError);
    expect((caught as SanitizeError).code).toBe(entry.code);
  });
});
