// Any chunking gives what sanitizeImage gives (issue #8 item 1): for every fixture, every corpus file and
// mutations of them, random chunk boundaries (down to 1 byte) give byte for byte the sanitizeImage output,
// the same report, or the same error code. Driven through the Session that SanitizeStream runs (synchronous,
// so that thousands of chunkings stay fast); stream.test.ts checks SanitizeStream itself on the same path.
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunked, whole } from './chunked.js';
import { CORPUS_DIR, corpusManifest, fixtureManifest, FIXTURES_DIR, readCorpus, readFixture } from './load.js';

const SEED = Number(process.env.FC_SEED ?? 20261202);
const RUNS = Number(process.env.CHUNKING_RUNS ?? 12);

function expectSame(input: Uint8Array, sizes: number[], keepColorProfile = true): void {
  const expected = whole(input, keepColorProfile);
  const actual = chunked(input, sizes, keepColorProfile);
  if ('code' in expected) {
    expect(actual, `sizes ${sizes.slice(0, 8).join(',')}`).toEqual(expected);
  } else {
    expect('code' in actual ? actual.code : 'ok', `sizes ${sizes.slice(0, 8).join(',')}`).toBe('ok');
    const a = actual as { bytes: Uint8Array; report: unknown };
    expect(Buffer.from(a.bytes).equals(Buffer.from(expected.bytes)), `bytes differ with sizes ${sizes.slice(0, 8).join(',')}`).toBe(true);
    expect(a.report).toEqual(expected.report);
  }
}

/** Chunk sizes: mostly tiny (down to 1 byte), some larger, so boundaries fall everywhere. */
const sizes = fc.array(fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }) }, fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 70_000 })), {
  minLength: 1,
  maxLength: 40,
});

const mutation = fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), cut: fc.boolean() });

function mutate(input: Uint8Array, m: { at: number; value: number; cut: boolean }): Uint8Array {
  const at = input.length === 0 ? 0 : m.at % input.length;
  if (m.cut) return input.slice(0, at);
  const out = input.slice();
  out[at] = m.value;
  return out;
}

const seeds: { name: string; bytes: Uint8Array }[] = [];
if (existsSync(join(FIXTURES_DIR, 'manifest.json'))) {
  for (const entry of fixtureManifest()) seeds.push({ name: `fixture ${entry.file}`, bytes: readFixture(entry.file) });
} else {
  console.warn('\n*** chunking tests: fixtures/manifest.json not found (run npm run fixtures): fixtures skipped ***\n');
}
const corpus = corpusManifest();
if (corpus === undefined) console.warn(`\n*** chunking tests: no corpus at ${CORPUS_DIR}: corpus files skipped ***\n`);
for (const entry of corpus ?? []) seeds.push({ name: `corpus ${entry.file}`, bytes: readCorpus(entry.file) });

describe('any chunking gives the sanitizeImage outcome', () => {
  it('has seeds to run on', () => {
    expect(seeds.length).toBeGreaterThan(0);
  });

  // Files over 1 MB get fewer random chunkings: each 1-byte pass over them is a million pushes.
  it.each(seeds.map((s) => [s.name, s.bytes] as const))(
    '%s: 1-byte chunks and random chunkings',
    (_name, bytes) => {
      expectSame(bytes, [1]);
      expectSame(bytes, [7, 1, 4096], false);
      fc.assert(
        fc.property(sizes, (s) => expectSame(bytes, s)),
        { seed: SEED, numRuns: bytes.length > 1_000_000 ? Math.ceil(RUNS / 4) : RUNS },
      );
    },
    180_000,
  );

  it.each(seeds.filter((s) => s.bytes.length <= 300_000).map((s) => [s.name, s.bytes] as const))(
    '%s: mutated, random chunkings',
    (_name, bytes) => {
      fc.assert(
        fc.property(mutation, sizes, (m, s) => expectSame(mutate(bytes, m), s)),
        { seed: SEED, numRuns: RUNS },
      );
    },
    180_000,
  );
});
