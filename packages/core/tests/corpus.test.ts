/**
 * Every JPEG and PNG of the real-world corpus (../shared/corpus), judged by
 * independent readers. Broken files must be rejected with a code or come out
 * clean; the others must come out clean, with the same pixels.
 */
import { describe, expect, it } from 'vitest';
import { SanitizeError, sanitizeImage } from '../src/index.js';
import { decodePixels, endsCleanly, exifrSees, leakedSignatures, samePixels } from './judges.js';
import { corpusManifest, CORPUS_DIR, readCorpus } from './load.js';

/** Non-broken corpus files the core refuses on purpose, and why. */
const KNOWN_REJECTIONS: Record<string, { code: string; why: string }> = {
  'png/imagesize__sample_fried.png': { code: 'UNSUPPORTED_FORMAT', why: 'Apple CgBI: an unknown critical chunk, not a standard PNG' },
};

const manifest = corpusManifest();
if (manifest === undefined) {
  console.warn(`\n*** SKIPPED: real-world corpus not found at ${CORPUS_DIR} (set IMAGE_SANITIZER_CORPUS) ***\n`);
}
const entries = (manifest ?? []).filter((entry) => entry.file.startsWith('jpeg/') || entry.file.startsWith('png/'));

describe.skipIf(manifest === undefined)('real-world corpus (JPEG and PNG)', () => {
  it('holds JPEG and PNG files to test', () => {
    expect(entries.length).toBeGreaterThan(80);
  });

  it.each(entries.map((entry) => [entry.file, entry] as const))('%s', async (_file, entry) => {
    // Prepare
    const input = readCorpus(entry.file);
    const known = KNOWN_REJECTIONS[entry.file];

    // Act
    let result;
    try {
      result = sanitizeImage(input);
    } catch (error) {
      // Assess: a refusal is always a SanitizeError with a code, and only for broken or known files
      expect(error).toBeInstanceOf(SanitizeError);
      const code = (error as SanitizeError).code;
      expect(['UNSUPPORTED_FORMAT', 'TRUNCATED', 'MALFORMED', 'CHECKSUM_MISMATCH', 'LIMIT_EXCEEDED']).toContain(code);
      if (!entry.broken) expect(code, `${entry.file} refused: ${(error as Error).message}`).toBe(known?.code);
      return;
    }

    // Assess
    expect(known, `${entry.file} should be refused: ${known?.why}`).toBeUndefined();
    const output = result.bytes;
    const format = result.format;
    expect(leakedSignatures(output, format)).toEqual([]);
    expect(endsCleanly(output, format)).toBe(true);
    const before = await exifrSees(input);
    const after = await exifrSees(output);
    expect(after.groups).toEqual({});
    expect(after.hasThumbnail).toBe(false);
    if (before.orientation !== undefined && before.orientation !== 1) expect(after.orientation).toBe(before.orientation);
    if (before.hasIcc) expect(after.hasIcc).toBe(true);
    const pixelsBefore = decodePixels(input, format);
    if (pixelsBefore !== undefined) {
      const pixelsAfter = decodePixels(output, format);
      expect(pixelsAfter, 'the output must decode wherever the input does').toBeDefined();
      expect(samePixels(pixelsBefore, pixelsAfter!)).toBe(true);
    }

    // With both options off, no ICC and no orientation are left either.
    const bare = sanitizeImage(input, { keepColorProfile: false, keepOrientation: false }).bytes;
    const bareSeen = await exifrSees(bare);
    expect(bareSeen.groups).toEqual({});
    expect(bareSeen.hasIcc).toBe(false);
    expect(bareSeen.orientation).toBeUndefined();
  });
});
