/**
 * A rewritten ICC profile transforms colours exactly as the original did, judged by a colour engine: LittleCMS 2
 * (lcms-wasm, the library most colour-managed viewers use or follow) opens the profile a file carries before and
 * after sanitizing and builds, for each of the four rendering intents, the device → Lab transform and the
 * Lab → device one (where the profile has it); the outputs for a grid of colours must be equal value for value.
 * The profiles are found by plain test-side readers, one per carrier (ICC.1:2022 Annex B), never by the core.
 * Files: every fixture the manifest lists with a profile, and every file of the real-world corpus.
 */
import { inflateSync } from 'node:zlib';
import { cmsFLAGS_NOCACHE, cmsFLAGS_NOOPTIMIZE, instantiate, TYPE_Lab_16 } from 'lcms-wasm';
import { describe, expect, it } from 'vitest';
import { sanitizeOrCode } from './judges.js';
import { corpusManifest, CORPUS_DIR, fixtureManifest, readCorpus, readFixture } from './load.js';
import { gifIccProfile, jpegIccProfile } from './readers/icc-carriers.js';
import { findIccProfiles } from './readers/icc.js';
import { riffChunks } from './readers/riff.js';

const lcms = await instantiate();
const INTENTS = [0, 1, 2, 3]; // perceptual, relative colorimetric, saturation, absolute colorimetric (ICC.1 6.2)
const FLAGS = cmsFLAGS_NOCACHE | cmsFLAGS_NOOPTIMIZE; // evaluate the profile's own tags, not a cached or merged shortcut

/** The PNG's iCCP profile (PNG 3rd edition 11.3.2.4: name, NUL, compression method, zlib data), read plainly. */
function pngIccProfile(bytes: Uint8Array): Buffer | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 12 <= b.length; at += 12 + b.readUInt32BE(at)) {
    if (b.toString('latin1', at + 4, at + 8) !== 'iCCP') continue;
    const data = b.subarray(at + 8, at + 8 + b.readUInt32BE(at));
    return inflateSync(data.subarray(data.indexOf(0) + 2));
  }
  return undefined;
}

const present = (profile: Uint8Array | undefined) => (profile === undefined ? [] : [profile]);

/** The profiles a file carries, each found the way its format stores it; [] when a reader refuses the carrier. */
function carriedProfiles(bytes: Uint8Array, format: string): Uint8Array[] {
  try {
    switch (format) {
      case 'jpeg':
        return present(jpegIccProfile(bytes)?.profile);
      case 'gif':
        return present(gifIccProfile(bytes)?.profile);
      case 'png':
        return present(pngIccProfile(bytes));
      case 'webp':
        return riffChunks(bytes)
          .filter((chunk) => chunk.type === 'ICCP')
          .map((chunk) => chunk.data);
      default: // TIFF tag 34675 and HEIF colr 'prof'/'rICC' hold the profile whole
        return findIccProfiles(bytes).map((p) => new Uint8Array(p.header.buffer, p.header.byteOffset, p.size));
    }
  } catch {
    return [];
  }
}

/** An evenly spaced grid over `channels` 16-bit channels, about a thousand colours. */
function grid(channels: number): Uint16Array {
  const steps = Math.max(2, Math.round(1000 ** (1 / channels)));
  const count = steps ** channels;
  const out = new Uint16Array(count * channels);
  for (let i = 0; i < count; i++) {
    for (let c = 0, rest = i; c < channels; c++, rest = Math.floor(rest / steps)) out[i * channels + c] = Math.round(((rest % steps) * 65535) / (steps - 1));
  }
  return out;
}

const LAB_GRID = grid(3);
const channelsOf = (format: number) => (format >> 3) & 15; // lcms2.h CHANNELS_SH

/** What LittleCMS makes of a profile: its colour space and every transform's output (null where it builds none). */
function colourBehaviour(profile: Uint8Array): { opens: boolean; space?: string | null; transforms?: (number[] | null)[] } {
  const handle = lcms.cmsOpenProfileFromMem(profile, profile.length);
  if (!handle) return { opens: false };
  const lab = lcms.cmsCreateLab4Profile(null);
  const device = lcms.cmsFormatterForColorspaceOfProfile(handle, 2, 0);
  const deviceGrid = grid(channelsOf(device));
  const run = (from: number, fromFormat: number, to: number, toFormat: number, intent: number, input: Uint16Array) => {
    const transform = lcms.cmsCreateTransform(from, fromFormat, to, toFormat, intent, FLAGS);
    if (!transform) return null;
    const out = Array.from(lcms.cmsDoTransform(transform, input, input.length / channelsOf(fromFormat)));
    lcms.cmsDeleteTransform(transform);
    return out;
  };
  const transforms = INTENTS.flatMap((intent) => [
    run(handle, device, lab, TYPE_Lab_16, intent, deviceGrid),
    run(lab, TYPE_Lab_16, handle, device, intent, LAB_GRID),
  ]);
  const space = lcms.cmsGetColorSpaceASCII(handle);
  lcms.cmsCloseProfile(lab);
  lcms.cmsCloseProfile(handle);
  return { opens: true, space, transforms };
}

interface Case {
  name: string;
  input: Uint8Array;
  format: string;
}

/** For each profile kept in the output: does it open, and which input profile (if any) transforms exactly as it does. */
function judge({ input, format }: Case): { kept: number; problems: string[] } {
  const outcome = sanitizeOrCode(input);
  if ('code' in outcome) return { kept: 0, problems: [] }; // refusals are judged by the fixture and corpus tests
  const before = carriedProfiles(input, format).map(colourBehaviour);
  const after = carriedProfiles(outcome.result.bytes, format);
  const problems: string[] = [];
  for (const [i, profile] of after.entries()) {
    const seen = colourBehaviour(profile);
    if (!seen.opens) problems.push(`kept profile ${i} does not open in LittleCMS`);
    else if (!before.some((b) => b.opens && b.space === seen.space && JSON.stringify(b.transforms) === JSON.stringify(seen.transforms))) {
      problems.push(`kept profile ${i} (${seen.space}) transforms differently from every input profile`);
    }
  }
  return { kept: after.length, problems };
}

describe('kept ICC profiles transform colours exactly as the originals (LittleCMS)', () => {
  const fixtures = fixtureManifest()
    .filter((entry) => entry.icc && entry.expect === 'clean')
    .map((entry) => ({ name: entry.file, input: readFixture(entry.file), format: entry.format }));

  it('has fixtures with profiles in every format that carries one', () => {
    // AVIF has no fixture with a profile: it shares the HEIF walker, and the corpus has AVIF files with profiles.
    expect(new Set(fixtures.map((f) => f.format))).toEqual(new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heic']));
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    const { kept, problems } = judge(fixture);
    expect(problems).toEqual([]);
    expect(kept, 'the fixture keeps its profile').toBeGreaterThan(0);
  });

  it('a profile whose colour data changed is told apart (the judge can fail)', () => {
    const source = fixtures.find((f) => f.format === 'webp')!;
    const original = carriedProfiles(source.input, 'webp')[0];
    const bent = Uint8Array.from(original);
    const table = new DataView(bent.buffer);
    const count = table.getUint32(128);
    for (let t = 0; t < count; t++) {
      const signature = String.fromCharCode(...bent.subarray(132 + t * 12, 136 + t * 12));
      if (signature === 'rXYZ') bent[table.getUint32(136 + t * 12) + 8] ^= 0x01; // the red colorant's X, 1/256 apart
    }
    const a = colourBehaviour(original);
    const b = colourBehaviour(bent);
    expect(b.opens).toBe(true);
    expect(JSON.stringify(a.transforms)).not.toBe(JSON.stringify(b.transforms));
  });
});

const corpus = corpusManifest();
if (corpus === undefined) console.warn(`\n*** ICC colour-engine corpus test SKIPPED: real-world corpus not found at ${CORPUS_DIR} (set IMAGE_SANITIZER_CORPUS) ***\n`);

describe.skipIf(corpus === undefined)('real-world profiles (../shared/corpus) transform as before', () => {
  const files = (corpus ?? []).filter((entry) => !entry.broken);

  it('every kept profile opens and transforms exactly as one the input carried', () => {
    let kept = 0;
    const problems: string[] = [];
    for (const { file } of files) {
      const input = readCorpus(file);
      const outcome = sanitizeOrCode(input);
      if ('code' in outcome) continue;
      const judged = judge({ name: file, input, format: outcome.result.format });
      kept += judged.kept;
      problems.push(...judged.problems.map((p) => `${file}: ${p}`));
    }
    expect(problems).toEqual([]);
    expect(kept, 'the corpus has files whose profile is kept').toBeGreaterThan(20); // 33 on 2026-12-02: 13 JPEG, 6 PNG, 5 WebP, 3 HEIC, 3 TIFF, 2 AVIF, 1 GIF
  });
});
