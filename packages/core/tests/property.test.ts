/**
 * Property tests: random mutations and truncations of real inputs either
 * sanitize cleanly (passing the same leak checks) or throw SanitizeError with
 * a refusal code. `npm run fuzz` runs a long campaign (FUZZ_RUNS); CI a bounded one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SanitizeError, sanitizeImage } from '../src/index.js';
import { appExtension, ascii, concat, GIF_HEAD, GIF_IMAGE, jpegSegment, jpegWith, pngChunk, pngWith, riffChunk, subBlocks, tiffWith, VP8L, vp8x, webpFile, zlib } from './build.js';
import { buildHeif, SECRETS as HEIF_SECRETS, TYPICAL } from './heif-build.js';
import { SECRETS as TIFF_SECRETS, typicalTiff } from './tiff-build.js';
import { leakedSignatures, occurrencesOutsideImageData } from './judges.js';
import { FIXTURES_DIR, fixtureManifest, readFixture } from './load.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
// `npm test` replays one fixed seed, so a run is repeatable; a campaign (`npm run fuzz`, FUZZ_RUNS set)
// draws a fresh seed each time, and fast-check prints it with any counterexample (replay: FUZZ_SEED=…).
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : process.env.FUZZ_RUNS ? undefined : 20261127;
const TIMEOUT = Math.max(30_000, RUNS * 10);
const SECRETS = ['SECRET-P-COM', 'SECRET-P-ARTIST', 'SECRET-P-XMP', 'SECRET-P-TEXT', 'SECRET-P-TRAILER', 'SECRET-P-ZTXT'];
const REFUSALS = ['UNSUPPORTED_FORMAT', 'TRUNCATED', 'MALFORMED', 'CHECKSUM_MISMATCH', 'LIMIT_EXCEEDED'];

const seeds: { name: string; bytes: Uint8Array; secrets: string[] }[] = [
  {
    name: 'synthetic JPEG',
    bytes: concat(
      jpegWith(
        jpegSegment(0xfe, 'SECRET-P-COM'),
        jpegSegment(0xe1, concat(ascii('Exif\0\0'), tiffWith([{ tag: 0x0112, short: 6 }, { tag: 0x013b, ascii: 'SECRET-P-ARTIST' }]))),
        jpegSegment(0xe1, 'http://ns.adobe.com/xap/1.0/\0SECRET-P-XMP'),
      ),
      ascii('SECRET-P-TRAILER'),
    ),
    secrets: SECRETS,
  },
  {
    name: 'synthetic PNG',
    bytes: concat(
      pngWith([pngChunk('tEXt', 'Author\0SECRET-P-TEXT'), pngChunk('zTXt', concat(ascii('k\0\0'), zlib('SECRET-P-ZTXT')))]),
      ascii('SECRET-P-TRAILER'),
    ),
    secrets: ['SECRET-P-TEXT', 'SECRET-P-TRAILER'],
  },
  {
    name: 'synthetic WebP',
    bytes: concat(
      webpFile(vp8x(0x0c), VP8L, riffChunk('EXIF', tiffWith([{ tag: 0x0112, short: 3 }, { tag: 0x013b, ascii: 'SECRET-P-ARTIST' }])), riffChunk('XMP ', 'SECRET-P-XMP')),
      ascii('SECRET-P-TRAILER'),
    ),
    secrets: ['SECRET-P-ARTIST', 'SECRET-P-XMP', 'SECRET-P-TRAILER'],
  },
  {
    name: 'synthetic GIF',
    bytes: concat(GIF_HEAD, concat([0x21, 0xfe], subBlocks('SECRET-P-COM')), appExtension('XMP DataXMP', 'SECRET-P-XMP'), GIF_IMAGE, [0x3b], ascii('SECRET-P-TRAILER')),
    secrets: ['SECRET-P-COM', 'SECRET-P-XMP', 'SECRET-P-TRAILER'],
  },
  { name: 'synthetic HEIC', bytes: buildHeif(TYPICAL), secrets: HEIF_SECRETS },
  { name: 'synthetic TIFF (II)', bytes: typicalTiff(true), secrets: TIFF_SECRETS },
  { name: 'synthetic BigTIFF (MM)', bytes: typicalTiff(false, true), secrets: TIFF_SECRETS },
];
if (existsSync(join(FIXTURES_DIR, 'manifest.json'))) {
  for (const entry of fixtureManifest()) {
    if (entry.expect === 'clean') seeds.push({ name: entry.file, bytes: readFixture(entry.file), secrets: entry.secrets });
  }
} else {
  console.warn('\n*** property tests: fixtures/manifest.json not found, using synthetic seeds only (run npm run fixtures) ***\n');
}

/** A mutation: flip, overwrite, insert or delete bytes, or truncate. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(input: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes: Uint8Array = input.slice();
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % bytes.length;
    if (m.kind === 'set') bytes[at] = m.value;
    else if (m.kind === 'insert') bytes = concat(bytes.subarray(0, at), m.bytes, bytes.subarray(at));
    else if (m.kind === 'delete') bytes = concat(bytes.subarray(0, at), bytes.subarray(at + m.count));
    else bytes = bytes.slice(0, at);
  }
  return bytes;
}

/**
 * Either a clean result or a SanitizeError with a refusal code; never anything else.
 * A mutation can fold metadata into the image data itself (delete a COM marker between scans and its
 * text becomes entropy-coded data; grow a VP8L chunk over the EXIF after it): every decoder then reads
 * those bytes as pixels, and no container-level sanitizer can tell. So here a planted secret may remain
 * only inside the image data as an independent delimiter sees it; anywhere else it is a leak.
 * The same holds for container signatures (a GIF application extension folded into LZW data).
 */
function judge(bytes: Uint8Array, secrets: string[]): void {
  let result;
  try {
    result = sanitizeImage(bytes);
  } catch (error) {
    if (!(error instanceof SanitizeError)) throw new Error(`non-SanitizeError escaped: ${String(error)}`);
    expect(REFUSALS, error.message).toContain(error.code);
    return;
  }
  for (const secret of secrets) expect(occurrencesOutsideImageData(result.bytes, result.format, secret), secret).toEqual([]);
  for (const signature of leakedSignatures(result.bytes, result.format)) {
    expect(occurrencesOutsideImageData(result.bytes, result.format, signature), signature).toEqual([]);
  }
  expect(sanitizeImage(result.bytes).removed).toEqual([]);
}

describe('property: mutated inputs are cleaned or refused with a code', () => {
  it.each(seeds.map((seed) => [seed.name, seed] as const))('%s', (_name, seed) => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => judge(mutate(seed.bytes, mutations), seed.secrets)),
      { numRuns: RUNS, seed: SEED },
    );
  }, TIMEOUT);

  it('arbitrary bytes behind a JPEG or PNG signature', () => {
    fc.assert(
      fc.property(fc.constantFrom([0xff, 0xd8, 0xff], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), fc.uint8Array({ maxLength: 512 }), (head, tail) =>
        judge(concat([...head], tail), []),
      ),
      { numRuns: RUNS * 4, seed: SEED },
    );
  }, TIMEOUT);
});
