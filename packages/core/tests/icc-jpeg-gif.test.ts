/**
 * JPEG and GIF carry their ICC profile in pieces (APP2 ICC_PROFILE segments,
 * data sub-blocks): the core puts the pieces together, rewrites the profile
 * without its text and splits it again. Judged by the test-side readers
 * (readers/icc-carriers.ts puts the pieces together, readers/icc.ts reads the
 * profile), exifr, jpeg-js and omggif, on the project's fixtures and the
 * real-world corpus.
 */
import exifr from 'exifr';
import { describe, expect, it } from 'vitest';
import { sanitizeImage } from '../src/index.js';
import { buildProfile, desc } from './icc-build.js';
import { ascii, concat, jpegSegment, jpegWith } from './build.js';
import { containsText, decodePixels, samePixels, sanitizeOrCode } from './judges.js';
import { corpusManifest, CORPUS_DIR, type FixtureEntry, fixtureManifest, readCorpus, readFixture } from './load.js';
import { type CarriedProfile, gifIccProfile, jpegIccProfile } from './readers/icc-carriers.js';
import { iccTag, readIcc } from './readers/icc.js';

/** Colour tags (ICC.1:2022 9.2), named here rather than taken from the core. */
const COLOUR_TAGS = new Set([
  ...['rXYZ', 'gXYZ', 'bXYZ', 'wtpt', 'bkpt', 'lumi', 'rTRC', 'gTRC', 'bTRC', 'kTRC', 'chad', 'chrm', 'clro', 'meas', 'view', 'cicp', 'gamt'],
  ...['A2B0', 'A2B1', 'A2B2', 'B2A0', 'B2A1', 'B2A2', 'pre0', 'pre1', 'pre2', 'D2B0', 'D2B1', 'D2B2', 'D2B3', 'B2D0', 'B2D1', 'B2D2', 'B2D3'],
]);
/** Header fields the fixtures' profiles fill with names (scripts/fixtures/icc.mjs): CMM, date, platform, device, creator. */
const HEADER_TEXT = [[4, 8], [24, 36], [40, 44], [48, 64], [80, 84]] as const;
const JPEG_SEGMENT_PAYLOAD = 65519; // ICC.1 B.4: 65535 - 2 (length) - 14 (ICC_PROFILE\0, sequence number, count)

const byFile = new Map(fixtureManifest().map((entry) => [entry.file, entry]));
const fixture = (file: string): FixtureEntry => {
  const entry = byFile.get(file);
  if (entry === undefined) throw new Error(`${file} is not in fixtures/manifest.json (npm run fixtures)`);
  return entry;
};

const utf16 = (text: string) => Buffer.from(text, 'utf16le').swap16();
const planted = (entry: FixtureEntry) => [...entry.secrets.map((s) => Buffer.from(s, 'latin1')), ...(entry.secretsUtf16 ?? []).map(utf16)];

/** The colour tags of `before` are in `after` with the same type and data (reserved bytes zero, bytes past the structure cut). */
function colourTagsKept(before: Buffer, after: Buffer): string[] {
  const [b, a] = [readIcc(before), readIcc(after)];
  const problems: string[] = [];
  for (const tag of b.tags.filter((t) => COLOUR_TAGS.has(t.signature))) {
    const kept = iccTag(a, tag.signature);
    if (kept === undefined) problems.push(`${tag.signature} missing`);
    else if (kept.length > tag.size || !kept.subarray(0, 4).equals(tag.data.subarray(0, 4)) || !kept.subarray(8).equals(tag.data.subarray(8, kept.length))) problems.push(`${tag.signature} differs`);
  }
  return problems;
}

const CARRIERS = [
  { file: 'jpeg/icc-profile-with-text-multi-segment.jpg', read: jpegIccProfile, expectedPieces: (size: number) => jpegPieces(size) },
  { file: 'gif/icc-profile-with-text.gif', read: gifIccProfile, expectedPieces: (size: number) => [subBlockSizes(size)] },
];

/** Segments of 65519 profile bytes, the last one shorter, numbered 1..N of N. */
function jpegPieces(size: number): number[][] {
  const count = Math.ceil(size / JPEG_SEGMENT_PAYLOAD);
  return Array.from({ length: count }, (_, i) => [i + 1, count, Math.min(JPEG_SEGMENT_PAYLOAD, size - i * JPEG_SEGMENT_PAYLOAD)]);
}
const subBlockSizes = (size: number) => Array.from({ length: Math.ceil(size / 255) }, (_, i) => Math.min(255, size - i * 255));

describe.each(CARRIERS)('$file: a profile in pieces, with planted text', ({ file, read, expectedPieces }) => {
  const entry = fixture(file);
  const input = readFixture(file);
  const before = read(input)!;

  it('keeps the colour tags byte for byte and none of the text, in valid pieces', () => {
    // Prepare
    expect(before.pieces.flat().length, 'the fixture carries its profile in several pieces').toBeGreaterThan(3);
    for (const secret of planted(entry)) expect(before.profile.includes(secret), `fixture carries ${secret}`).toBe(true);

    // Act
    const result = sanitizeImage(input);

    // Assess
    const after = read(result.bytes) as CarriedProfile;
    expect(after, 'the output carries a profile').toBeDefined();
    expect(colourTagsKept(before.profile, after.profile)).toEqual([]);
    expect(readIcc(after.profile).tags.map((t) => t.signature).filter((s) => !COLOUR_TAGS.has(s)).sort()).toEqual(['cprt', 'desc']);
    expect(after.pieces).toEqual(expectedPieces(after.profile.length));
    for (const secret of planted(entry)) {
      expect(after.profile.includes(secret), `${secret} in the profile`).toBe(false);
      expect(Buffer.from(result.bytes).includes(secret), `${secret} in the output`).toBe(false);
    }
    for (const [from, to] of HEADER_TEXT) {
      expect(before.profile.subarray(from, to).some((byte) => byte !== 0), `fixture header ${from}..${to} holds text`).toBe(true);
      expect(after.profile.subarray(from, to).every((byte) => byte === 0), `header ${from}..${to} zeroed`).toBe(true);
    }
    expect(result.kept.filter((item) => item.kind === 'icc')).toHaveLength(before.pieces.length);
    expect(result.removed.find((item) => item.kind === 'text')?.label).toMatch(/^ICC profile: .*profile description, copyright, device manufacturer description/);
  });

  it('decodes to the same pixels (jpeg-js, omggif) and re-sanitizes to itself', () => {
    const result = sanitizeImage(input);
    const [pixelsBefore, pixelsAfter] = [decodePixels(input, entry.format), decodePixels(result.bytes, entry.format)];
    expect(pixelsBefore && pixelsAfter && samePixels(pixelsBefore, pixelsAfter)).toBe(true);
    const again = sanitizeImage(result.bytes);
    expect(again.removed).toEqual([]);
    expect(Buffer.from(again.bytes).equals(Buffer.from(result.bytes))).toBe(true);
  });

  it('parses in exifr with the neutral description and no copyright text', async () => {
    // Prepare: exifr reads JPEG profiles (over several segments); a GIF's profile is handed to it in a JPEG APP2
    const after = read(sanitizeImage(input).bytes)!;
    const jpeg = entry.format === 'jpeg' ? sanitizeImage(input).bytes : jpegWith(jpegSegment(0xe2, concat(ascii('ICC_PROFILE\0'), [1, 1], after.profile)));

    // Act
    const seen = (await exifr.parse(Buffer.from(jpeg), { icc: true, tiff: false, multiSegment: true, mergeOutput: false })) as { icc: Record<string, unknown> };

    // Assess
    expect(seen.icc.ProfileDescription).toBe('ICC profile');
    expect(seen.icc.ProfileCopyright ?? '').toBe('');
    expect([seen.icc.ColorSpaceData, seen.icc.ProfileClass]).toEqual(['RGB', 'Monitor']);
    expect(JSON.stringify(seen.icc)).not.toContain('SECRET');
  });

  it('keeps the profile as it is with keepColorProfileVerbatim', () => {
    const result = sanitizeImage(input, { keepColorProfileVerbatim: true });
    const after = read(result.bytes)!;
    expect(after.profile.equals(before.profile)).toBe(true);
    expect(after.pieces).toEqual(before.pieces);
  });
});

/** The regression fixtures scripts/fixtures/jpeg-fixtures.mjs writes for sets of segments that are not 1..N of N in order. */
const SEGMENT_SETS: [name: string, removedBecause: string | undefined][] = [
  ['out-of-order', undefined],
  ['duplicate-sequence-number', 'a sequence number twice'],
  ['one-missing', 'a segment missing'],
  ['counts-disagree', 'segment counts disagree'],
  ['sequence-number-zero', 'a sequence number outside 1..N'],
];

describe.each(SEGMENT_SETS)('jpeg/icc-segments-%s.jpg', (name, removedBecause) => {
  const file = `jpeg/icc-segments-${name}.jpg`;
  const entry = fixture(file);
  const input = readFixture(file);

  it(removedBecause === undefined ? 'is put in order and kept without its text' : `is removed whole: ${removedBecause}`, () => {
    // Act
    const result = sanitizeImage(input);

    // Assess
    for (const secret of planted(entry)) expect(Buffer.from(result.bytes).includes(secret), secret.toString('latin1')).toBe(false);
    const segments = result.kept.filter((item) => item.kind === 'icc');
    if (removedBecause === undefined) {
      const [before, after] = [jpegIccProfile(input)!, jpegIccProfile(result.bytes)!];
      expect(before.pieces.map(([sequence]) => sequence)).not.toEqual([1, 2, 3]);
      expect(after.pieces.map(([sequence, count]) => [sequence, count])).toEqual([[1, 1]]);
      expect(colourTagsKept(before.profile, after.profile)).toEqual([]);
      expect(segments).toHaveLength(3);
    } else {
      expect(containsText(result.bytes, 'ICC_PROFILE')).toBe(false);
      expect(segments).toEqual([]);
      const removed = result.removed.filter((item) => item.kind === 'icc');
      expect(removed.length).toBeGreaterThan(1);
      for (const item of removed) expect(item.label).toMatch(new RegExp(`^ICC_PROFILE \\d/\\d, ${removedBecause.replace('.', '\\.')}$`));
    }
    expect(decodePixels(result.bytes, 'jpeg'), 'jpeg-js decodes the output').toBeDefined();
    expect(sanitizeImage(result.bytes).removed).toEqual([]);
  });
});

describe('a JPEG profile that no longer fits in 255 segments once rewritten', () => {
  it('is removed whole, with the reason', () => {
    // Prepare: a v2 profile of 16,707,344 bytes (255 segments hold 16,707,345) whose one-character description
    // becomes "ICC profile": 14 bytes more. lut16 with a 140-point grid and 20254/20253-entry curves.
    const [inputs, outputs, grid, inEntries, outEntries] = [3, 3, 140, 20254, 20253];
    const lut = Buffer.alloc(52 + 2 * (inEntries * inputs + grid ** 3 * outputs + outEntries * outputs));
    lut.write('mft2');
    lut.set([inputs, outputs, grid], 8);
    lut.writeUInt16BE(inEntries, 48);
    lut.writeUInt16BE(outEntries, 50);
    const profile = buildProfile({ version: 2, tags: [['desc', desc('')], ['A2B0', lut]] });
    expect(profile.length).toBe(16_707_344);
    const segments = Array.from({ length: 255 }, (_, i) =>
      jpegSegment(0xe2, concat(ascii('ICC_PROFILE\0'), [i + 1, 255], profile.subarray(i * JPEG_SEGMENT_PAYLOAD, (i + 1) * JPEG_SEGMENT_PAYLOAD))),
    );

    // Act
    const outcome = sanitizeOrCode(jpegWith(...segments));

    // Assess
    if ('code' in outcome) throw new Error(outcome.message);
    expect(jpegIccProfile(outcome.result.bytes)).toBeUndefined();
    expect(outcome.result.removed.filter((item) => item.kind === 'icc').map((item) => item.label)).toEqual(
      Array.from({ length: 255 }, (_, i) => `ICC_PROFILE ${i + 1}/255, rewritten profile larger than 255 segments`),
    );
  });
});

const corpus = corpusManifest();
const corpusFiles = (corpus ?? []).filter((entry) => !entry.broken && /^(jpeg|gif)\//.test(entry.file));
if (corpus === undefined) console.warn(`\n*** ICC corpus tests SKIPPED: real-world corpus not found at ${CORPUS_DIR} (set IMAGE_SANITIZER_CORPUS) ***\n`);

describe.skipIf(corpus === undefined)('real-world JPEG and GIF profiles (../shared/corpus)', () => {
  /** The corpus files whose profile the test-side readers put together and read. */
  const withProfile = corpusFiles.flatMap(({ file }) => {
    const input = readCorpus(file);
    const read = file.startsWith('gif/') ? gifIccProfile : jpegIccProfile;
    try {
      const carried = read(input);
      return carried === undefined ? [] : [{ file, input, read, before: carried.profile, whole: wholeProfile(carried.profile) }];
    } catch {
      return []; // pieces a reader refuses: the core removes them (corpus.test.ts judges the rest)
    }
  });

  it('holds JPEG and GIF files with a profile', () => {
    expect(withProfile.length).toBeGreaterThan(5);
  });

  it.each(withProfile.map((c) => [c.file, c] as const))('%s: the colour tags are kept byte for byte, no other tag but desc and cprt', (_file, { input, read, before, whole }) => {
    // Act
    const outcome = sanitizeOrCode(input);

    // Assess
    if ('code' in outcome) throw new Error(`refused: ${outcome.message}`);
    const after = read(outcome.result.bytes);
    if (!whole) {
      expect(after, 'a profile that is not whole is removed').toBeUndefined();
      return;
    }
    expect(after, 'the profile is kept').toBeDefined();
    expect(colourTagsKept(before, after!.profile)).toEqual([]);
    expect(readIcc(after!.profile).tags.filter((t) => !COLOUR_TAGS.has(t.signature) && t.signature !== 'desc' && t.signature !== 'cprt'), 'no other tag').toEqual([]);
    expect(sanitizeImage(outcome.result.bytes).removed).toEqual([]);
  });
});

/** The profile's size field is its length and it has a tag table a plain reader can read. */
function wholeProfile(profile: Buffer): boolean {
  try {
    readIcc(profile);
    return true;
  } catch {
    return false;
  }
}
