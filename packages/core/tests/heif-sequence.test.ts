/**
 * AVIF/HEIC image sequences (`moov`): the generated fixture with secrets in
 * moov/udta, trak/udta, trak/meta, handler and compressor names and a timed
 * metadata track; hostile variants; the refusals. Judged by the test-side
 * readers (`heifTracks` for every sample, `heifLayout` for the still items)
 * and by byte search for every planted secret.
 */
import { describe, expect, it } from 'vitest';
import { SanitizeError, sanitizeImage } from '../src/index.js';
import { FRAGMENTED_REFUSAL } from '../src/formats/heif/movie.js';
import { SEQUENCE_WITHOUT_STILL_REFUSAL } from '../src/formats/heif/index.js';
import { containsText, expectRefused, heifImageItems, heifLayout, sanitizeEachVariant, sweepVariants } from './judges.js';
import { fixtureManifest, readFixture } from './load.js';
import { type HeifTrack, heifTracks } from './readers/heif.js';

const FIXTURE = 'heic/avis-sequence-track-metadata.avifs';
const ALPHA = 'urn:mpeg:mpegB:cicp:systems:auxiliary:alpha';

/**
 * Tracks a player shows, among the well-formed ones: pict/vide, and auxv
 * tracks whose every sample entry is a coded image with the alpha URN and whose auxl reference
 * names only such pict/vide tracks (an alpha plane without its master is
 * shown by nobody).
 */
function visualTrackIds(bytes: Uint8Array): number[] {
  const tracks = heifTracks(bytes).filter((t) => t.malformed === undefined);
  const main = new Set(tracks.filter((t) => t.handler === 'pict' || t.handler === 'vide').map((t) => t.id));
  const hasMaster = (t: HeifTrack) => t.references.some((r) => r.type === 'auxl' && r.to.length > 0 && r.to.every((id) => main.has(id)));
  const alpha = (t: HeifTrack) => t.entries.every((type, i) => ['av01', 'hvc1', 'hev1'].includes(type) && t.auxiliaryTypes[i] === ALPHA);
  return tracks.filter((t) => main.has(t.id) || (t.handler === 'auxv' && alpha(t) && hasMaster(t))).map((t) => t.id);
}

/** Boxes at every level of `moov`, by the containers 14496-12 defines (test-side, trusting the file). */
function movieBoxTypes(bytes: Uint8Array): string[] {
  const view = Buffer.from(bytes);
  const containers = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts', 'dinf', 'tref']);
  const types: string[] = [];
  const walk = (from: number, to: number, inMoov: boolean) => {
    for (let at = from; at + 8 <= to; ) {
      const size = view.readUInt32BE(at);
      const type = view.toString('latin1', at + 4, at + 8);
      if (size < 8) return;
      if (inMoov) types.push(type);
      if (containers.has(type)) walk(at + 8, at + size, true);
      at += size;
    }
  };
  walk(0, view.length, false);
  return types;
}

/**
 * What must hold for an input sequence and its output: the visual tracks,
 * each sample byte for byte; the still image items byte for byte; only
 * ftyp/meta/moov/mdat at the top; every mdat byte inside an item or sample;
 * no udta or meta left in moov.
 */
function sequenceProblems(input: Uint8Array, output: Uint8Array): string[] {
  const problems: string[] = [];
  const before = new Map(heifTracks(input).filter((t) => t.malformed === undefined).map((t) => [t.id, t]));
  const after = heifTracks(output);
  const expected = visualTrackIds(input);
  if (after.map((t) => t.id).join() !== expected.join()) problems.push(`tracks ${after.map((t) => t.id)} instead of ${expected}`);
  const sample = (bytes: Uint8Array, [start, end]: [number, number]) => Buffer.from(bytes.subarray(start, end));
  const keptMain = new Set(after.filter((t) => t.handler !== 'auxv').map((t) => t.id));
  for (const track of after) {
    if (track.malformed !== undefined) problems.push(`track ${track.id} of the output is malformed: ${track.malformed}`);
    if (track.handler === 'auxv' && !track.references.some((r) => r.type === 'auxl' && r.to.every((id) => keptMain.has(id)))) problems.push(`alpha track ${track.id} kept without its master track`);
    const original = before.get(track.id);
    if (original === undefined) {
      problems.push(`track ${track.id} is not a well-formed track of the input`);
      continue;
    }
    if (track.samples.length !== original.samples.length) problems.push(`track ${track.id}: ${track.samples.length} samples, not ${original.samples.length}`);
    track.samples.forEach((range, i) => {
      if (i < original.samples.length && !sample(output, range).equals(sample(input, original.samples[i]))) problems.push(`track ${track.id} sample ${i} differs`);
    });
  }
  const layoutBefore = heifLayout(input);
  const layoutAfter = heifLayout(output);
  for (const id of heifImageItems(layoutBefore, input)) {
    const data = (bytes: Uint8Array, layout: typeof layoutBefore) => Buffer.concat((layout.items.get(id)?.extents ?? []).map(([s, e]) => bytes.subarray(s, e)));
    if (!data(output, layoutAfter).equals(data(input, layoutBefore))) problems.push(`item ${id} data`);
  }
  const view = Buffer.from(output);
  const top: string[] = [];
  let mdat: [number, number] | undefined;
  for (let at = 0; at + 8 <= view.length; at += view.readUInt32BE(at)) {
    const type = view.toString('latin1', at + 4, at + 8);
    top.push(type);
    if (type === 'mdat') mdat = [at + 8, at + view.readUInt32BE(at)];
    if (view.readUInt32BE(at) < 8) break;
  }
  const expectedTop = expected.length > 0 ? 'ftyp,meta,moov,mdat' : 'ftyp,meta,mdat';
  if (top.join() !== expectedTop) problems.push(`top level ${top}, not ${expectedTop}`);
  if (mdat) {
    const used = [...after.flatMap((t) => t.samples), ...[...layoutAfter.items.values()].flatMap((i) => i.extents)].sort((a, b) => a[0] - b[0]);
    let at = mdat[0];
    for (const [start, end] of used) if (start <= at) at = Math.max(at, end);
    if (at < mdat[1]) problems.push('mdat holds bytes no item or sample uses');
  }
  const leftovers = movieBoxTypes(output).filter((type) => ['udta', 'meta', 'co64', 'iods'].includes(type));
  if (leftovers.length > 0) problems.push(`moov still holds ${leftovers}`);
  return problems;
}

/** The fixture with the 4 bytes at the `n`-th occurrence of `from` (a 4CC), counted from `after`, replaced. */
function patched(input: Uint8Array, from: string, to: string | number[], after = 0): Uint8Array {
  const at = Buffer.from(input).indexOf(Buffer.from(from, 'latin1'), after);
  expect(at, `${from} in the fixture`).toBeGreaterThanOrEqual(0);
  const out = input.slice();
  out.set(typeof to === 'string' ? Buffer.from(to, 'latin1') : to, at);
  return out;
}

const entry = fixtureManifest().find((e) => e.file === FIXTURE)!;
const input = readFixture(FIXTURE);
const moovAt = Buffer.from(input).indexOf(Buffer.from('moov')) - 4;

describe('AVIF/HEIC image sequences', () => {
  it('removes udta, trak/meta, the metadata track, names and times; keeps every frame byte for byte with its chunk offsets rewritten', () => {
    // Prepare
    for (const secret of entry.secrets) expect(containsText(input, secret), secret).toBe(true);
    expect(heifTracks(input).map((t) => t.handler)).toEqual(['pict', 'auxv', 'meta']);

    // Act
    const result = sanitizeImage(input);
    const output = result.bytes;

    // Assess
    for (const secret of entry.secrets) expect(containsText(output, secret), `${secret} leaked`).toBe(false);
    expect(sequenceProblems(input, output)).toEqual([]);
    expect(output.length).toBeLessThan(input.length);
    const containers = result.removed.map((item) => item.container);
    for (const container of ['moov/udta', 'trak/udta', 'trak/meta', 'trak', 'mdia/hdlr', 'stsd/av01', 'mvhd', 'Exif item']) expect(containers).toContain(container);
    expect(result.removed.find((item) => item.container === 'trak')?.label).toBe('meta track');
    expect(heifTracks(output).find((t) => t.handler === 'auxv')?.samples.length).toBe(3); // its co64 written as stco
    const again = sanitizeImage(output);
    expect(again.removed).toEqual([]);
    expect(Buffer.from(again.bytes).equals(Buffer.from(output))).toBe(true);
  });

  it('never throws anything but a coded SanitizeError on truncated or mutated sequences; outputs keep every frame', () => {
    const moovEnd = moovAt + Buffer.from(input).readUInt32BE(moovAt);
    const variants = sweepVariants(input, (at) => at >= moovAt && at < moovEnd && at % 3 === 0);
    const { cleaned, problems } = sanitizeEachVariant(variants, (variant, result, i) => {
      const found = sequenceProblems(variant, result.bytes);
      const leaked = entry.secrets.filter((secret) => containsText(result.bytes, secret));
      return [...found, ...leaked.map((secret) => `${secret} leaked`)].map((problem) => `variant ${i}: ${problem}`);
    });
    expect(problems).toEqual([]);
    expect(cleaned).toBeGreaterThan(0);
  });

  it('drops an alpha track whose auxl reference names no kept track, with its samples', () => {
    // Prepare: the alpha track refers to track 9, which does not exist
    const auxl = Buffer.from(input).indexOf(Buffer.from('auxl'), moovAt);
    const variant = input.slice();
    Buffer.from(variant.buffer).writeUInt32BE(9, auxl + 4);
    expect(heifTracks(variant).map((t) => [t.handler, t.references.map((r) => r.to)])).toEqual([['pict', []], ['auxv', [[9]]], ['meta', []]]);

    // Act
    const result = sanitizeImage(variant);

    // Assess
    expect(heifTracks(result.bytes).map((t) => t.handler)).toEqual(['pict']);
    expect(result.removed.filter((item) => item.container === 'trak').map((item) => item.label)).toEqual([
      'alpha track whose master track is removed or missing',
      'meta track',
    ]);
    expect(sequenceProblems(variant, result.bytes)).toEqual([]);
  });

  it.each([
    ['an mvex box (a fragmented movie)', () => patched(input, 'udta', 'mvex', moovAt), FRAGMENTED_REFUSAL],
    ['a top-level moof', () => patched(input, 'moov', 'moof'), FRAGMENTED_REFUSAL],
    ['no still image (meta renamed free)', () => patched(input, 'meta', 'free'), SEQUENCE_WITHOUT_STILL_REFUSAL],
  ])('refuses %s with the exact reason', (_name, build, reason) => {
    try {
      sanitizeImage(build());
      expect.unreachable('refused');
    } catch (error) {
      expect(error).toBeInstanceOf(SanitizeError);
      expect([(error as SanitizeError).code, (error as Error).message]).toEqual(['UNSUPPORTED_FORMAT', reason]);
    }
  });

  it('refuses protected samples, samples in another file, chunks outside mdat and a removed track sharing bytes with a kept one', () => {
    // encv: a protected sample entry (14496-12 8.12) in place of av01
    expectRefused(patched(input, 'av01', 'encv', moovAt), 'UNSUPPORTED_FORMAT');
    // dref url entry without its "this file" flag
    const url = Buffer.from(input).indexOf(Buffer.from('url '), moovAt);
    const external = input.slice();
    external[url + 7] = 0;
    expectRefused(external, 'UNSUPPORTED_FORMAT');
    // the first chunk offset of the first track points at the file start
    const stco = Buffer.from(input).indexOf(Buffer.from('stco'), moovAt);
    const outside = input.slice();
    outside.set([0, 0, 0, 0], stco + 12);
    expectRefused(outside, 'MALFORMED');
    // the metadata track's chunk moved onto the first frame (which is kept)
    const metaStco = Buffer.from(input).lastIndexOf(Buffer.from('stco'));
    const firstFrame = Buffer.from(input).readUInt32BE(stco + 12);
    const shared = input.slice();
    Buffer.from(shared.buffer).writeUInt32BE(firstFrame, metaStco + 12);
    expectRefused(shared, 'MALFORMED');
  });

  it('refuses a co64 offset past 2^53 (read as Infinity, it made a chunk look empty) and track ids a removed track repeats', () => {
    const co64 = Buffer.from(input).indexOf(Buffer.from('co64'), moovAt);
    const huge = input.slice();
    huge[co64 + 12] = 0x01;
    expectRefused(huge, 'MALFORMED');
    // the metadata track (removed) takes the alpha track's id
    const metaTkhd = Buffer.from(input).lastIndexOf(Buffer.from('tkhd'));
    const twice = input.slice();
    Buffer.from(twice.buffer).writeUInt32BE(2, metaTkhd + 4 + 12);
    expectRefused(twice, 'MALFORMED');
  });
});
