/**
 * ICC profiles kept without their text: the rewriter in metadata/icc.ts,
 * judged by a plain test-side reader (readers/icc.ts), by exifr's ICC parser
 * (through a JPEG APP2 built here) and by Node's MD5.
 */
import { createHash } from 'node:crypto';
import exifr from 'exifr';
import { describe, expect, it } from 'vitest';
import { md5 } from '../src/bytes/md5.js';
import { isWholeIccProfile, keepCompressedIccProfile, keepIccProfile, NEUTRAL_DESCRIPTION } from '../src/metadata/icc.js';
import { sanitizeImage } from '../src/index.js';
import { ascii, concat, jpegSegment, jpegWith, riffChunk, VP8L, vp8x, webpFile } from './build.js';
import { box, buildHeif, HEVC_BYTES, HVCC, ispe } from './heif-build.js';
import { buildTiff, imageEntries, rgbPixels, UNDEFINED } from './tiff-build.js';
import { buildProfile, colourTags, desc, mluc, type ProfileSpec, text, xyz } from './icc-build.js';
import { containsText } from './judges.js';
import { findIccProfiles, iccTag, readIcc } from './readers/icc.js';

const SECRETS = ['Desc-Alice-Calibrated', 'Copyright-Bob-Studio', 'Maker-Carol-Corp', 'Model-Dave-9000', 'Viewing-Eve-Office', 'Private-Frank-Tag'];
const PLANTED = { cmm: 'CmM1', platform: 'PlT2', manufacturer: 'MaN3', model: 'MoD4', creator: 'CrE5', attributes: 'AtTrIbS6' };
const COLOUR = ['wtpt', 'rXYZ', 'gXYZ', 'bXYZ', 'rTRC', 'gTRC', 'bTRC', 'chad', 'A2B0'];

function plantedSpec(version: 2 | 4): ProfileSpec {
  const t = version === 4 ? mluc : text;
  return {
    version,
    tags: [
      ['desc', version === 4 ? mluc(SECRETS[0]) : desc(SECRETS[0])],
      ...colourTags(),
      ['cprt', t(SECRETS[1])],
      ['dmnd', version === 4 ? mluc(SECRETS[2]) : desc(SECRETS[2])],
      ['dmdd', version === 4 ? mluc(SECRETS[3]) : desc(SECRETS[3])],
      ['vued', version === 4 ? mluc(SECRETS[4]) : desc(SECRETS[4])],
      ['zPRV', text(SECRETS[5])],
    ],
    share: [['rTRC', 'gTRC']],
    planted: PLANTED,
  };
}

function clean(profile: Uint8Array, size?: number) {
  const kept = keepIccProfile(profile, 0, profile.length, { verbatim: false, ...(size === undefined ? {} : { size }) });
  if ('refused' in kept) throw new Error(`refused: ${kept.refused}`);
  return kept;
}

describe('MD5 (for the ICC profile ID)', () => {
  it.each([0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 70_000])('matches node:crypto for %i bytes', (n) => {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
    expect(Buffer.from(md5(bytes)).toString('hex')).toBe(createHash('md5').update(bytes).digest('hex'));
  });
});

describe.each([2, 4] as const)('ICC v%i profile with planted text', (version) => {
  const input = buildProfile(plantedSpec(version));

  it('keeps every colour tag byte for byte, shared data still shared, and parses in a plain reader', () => {
    // Act
    const { bytes, removed } = clean(input);

    // Assess
    const before = readIcc(input);
    const after = readIcc(bytes);
    for (const signature of COLOUR) expect(iccTag(after, signature)?.equals(iccTag(before, signature)!), signature).toBe(true);
    const rTRC = after.tags.find((t) => t.signature === 'rTRC')!;
    const gTRC = after.tags.find((t) => t.signature === 'gTRC')!;
    expect(rTRC.offset).toBe(gTRC.offset);
    expect(after.tags.map((t) => t.signature).sort()).toEqual([...COLOUR, 'cprt', 'desc'].sort());
    expect([after.version, after.deviceClass, after.colourSpace, after.pcs]).toEqual([version, 'mntr', 'RGB ', 'XYZ ']);
    expect(after.header.subarray(68, 80).equals(before.header.subarray(68, 80)), 'PCS illuminant').toBe(true);
    expect(after.header.readUInt32BE(64), 'rendering intent').toBe(1);
    expect(after.header.readUInt32BE(44), 'flags: only the defined bits').toBe(1);
    expect(bytes.length).toBeLessThan(input.length);
    expect(removed).toEqual(expect.arrayContaining(['profile description', 'copyright', 'device manufacturer description', 'private or unknown tags']));
  });

  it('carries none of the planted text, date, creator or device fields', () => {
    const { bytes } = clean(input);
    for (const secret of [...SECRETS, ...Object.values(PLANTED)]) {
      expect(containsText(bytes, secret), secret).toBe(false);
      expect(Buffer.from(bytes).includes(Buffer.from(secret, 'utf16le').swap16()), `${secret} (UTF-16)`).toBe(false);
    }
    const header = Buffer.from(bytes.subarray(0, 128));
    expect(header.subarray(24, 36).every((b) => b === 0), 'date').toBe(true);
    expect(header.subarray(48, 64).every((b) => b === 0), 'device').toBe(true);
    expect(header.subarray(80, 84).every((b) => b === 0), 'creator').toBe(true);
  });

  it('computes the profile ID per ICC.1 7.2.18 (v4) or leaves it zero (v2)', () => {
    const { bytes } = clean(input);
    const id = Buffer.from(bytes.subarray(84, 100));
    if (version === 2) {
      expect(id.every((b) => b === 0)).toBe(true);
      return;
    }
    const zeroed = Buffer.from(bytes);
    zeroed.fill(0, 44, 48);
    zeroed.fill(0, 64, 68);
    zeroed.fill(0, 84, 100);
    expect(id.toString('hex')).toBe(createHash('md5').update(zeroed).digest('hex'));
  });

  it('parses in exifr with the neutral description and no copyright text', async () => {
    // Prepare: the rewritten profile in a JPEG APP2, the way exifr reads profiles
    const { bytes } = clean(input);
    const jpeg = jpegWith(jpegSegment(0xe2, concat(ascii('ICC_PROFILE\0'), [1, 1], bytes)));

    // Act
    const seen = (await exifr.parse(Buffer.from(jpeg), { icc: true, tiff: false, mergeOutput: false })) as { icc: Record<string, unknown> };

    // Assess
    expect(seen.icc.ProfileDescription).toBe(NEUTRAL_DESCRIPTION);
    expect(seen.icc.ColorSpaceData).toBe('RGB');
    expect(seen.icc.ProfileClass).toBe('Monitor');
    expect(seen.icc.ProfileCopyright ?? '').toBe('');
    expect(JSON.stringify(seen.icc)).not.toMatch(/Alice|Bob|Carol|Dave|Eve|Frank/);
  });

  it('is idempotent: a rewritten profile is kept as it is', () => {
    const { bytes } = clean(input);
    const again = clean(bytes);
    expect(again.removed).toEqual([]);
    expect(Buffer.from(again.bytes).equals(Buffer.from(bytes))).toBe(true);
  });

  it('pads to a fixed size for containers that cannot move bytes, and refuses when it cannot fit', () => {
    const { bytes } = clean(input, input.length);
    expect(bytes.length).toBe(input.length);
    expect(readIcc(bytes).size).toBe(input.length);
    expect(Buffer.from(clean(bytes, input.length).bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(keepIccProfile(input, 0, input.length, { verbatim: false, size: 200 })).toEqual({ refused: 'no room for the rewritten profile' });
  });
});

describe('ICC judge and refusals', () => {
  it('keeps a well-known description, whatever else the profile says', () => {
    const input = buildProfile({ version: 2, tags: [['desc', desc('sRGB IEC61966-2.1')], ['wtpt', xyz(0.95, 1, 1.09)], ['cprt', text(SECRETS[1])]] });
    const { bytes } = clean(input);
    expect(containsText(bytes, 'sRGB IEC61966-2.1')).toBe(true);
    expect(containsText(bytes, SECRETS[1])).toBe(false);
  });

  it('keeps a profile verbatim when asked (it must still be whole)', () => {
    const input = buildProfile(plantedSpec(4));
    const kept = keepIccProfile(input, 0, input.length, { verbatim: true });
    expect('bytes' in kept && Buffer.from(kept.bytes).equals(input)).toBe(true);
    const padded = concat(input, ascii(SECRETS[0]));
    expect(keepIccProfile(padded, 0, padded.length, { verbatim: true })).toEqual({ refused: 'not a whole profile' });
  });

  it.each([
    ['a size field that is not the payload', (p: Buffer) => p.writeUInt32BE(p.length + 4, 0), 'not a whole profile'],
    ['no acsp signature', (p: Buffer) => p.write('xxxx', 36), 'not a whole profile'],
    ['a tag table past the end', (p: Buffer) => p.writeUInt32BE(1_000_000, 128), 'not a whole profile'],
    ['an iccMAX (v5) profile', (p: Buffer) => (p[8] = 5), 'ICC version 5 profile'],
    ['a colour tag of text type', (p: Buffer) => p.write('text', p.readUInt32BE(132 + 4 + 12)), 'a wtpt tag of an unexpected type or size'],
    ['a colour tag past the end', (p: Buffer) => p.writeUInt32BE(0xfffffff0, 132 + 8 + 12), 'a colour tag outside the profile'],
  ])('refuses %s', (_name, mutate, reason) => {
    const input = buildProfile({ version: 2, tags: [['desc', desc('x')], ['wtpt', xyz(0.95, 1, 1.09)]] });
    mutate(input);
    expect(isWholeIccProfile(input, 0, input.length)).toBe(reason !== 'not a whole profile');
    expect(keepIccProfile(input, 0, input.length, { verbatim: false })).toEqual({ refused: reason });
  });

  it('cuts bytes hidden after a colour tag\'s structure and between tags', () => {
    const hidden = Buffer.concat([xyz(0.95, 1, 1.09).subarray(0, 20), Buffer.from(SECRETS[5])]);
    const input = buildProfile({ version: 4, tags: [['wtpt', hidden]] });
    const { bytes, removed } = clean(input);
    expect(containsText(bytes, SECRETS[5])).toBe(false);
    expect(readIcc(bytes).tags[0].data.equals(hidden.subarray(0, 20))).toBe(true);
    expect(removed).toContain('bytes after tag data');
  });
});

describe.each([2, 4] as const)('a v%i profile with planted text, kept by each format', (version) => {
  const profile = buildProfile(plantedSpec(version));
  const inputs: [format: string, input: Uint8Array][] = [
    ['tiff', buildTiff({ little: true, ifds: [{ entries: [...imageEntries(4, 2, 2), { tag: 34675, type: UNDEFINED, value: profile }], strips: [rgbPixels(4, 2)] }] })],
    ['heic', buildHeif({ items: [{ id: 1, type: 'hvc1', data: HEVC_BYTES }], properties: [HVCC, ispe(4, 2), box('colr', 'prof', profile)], associations: [[1, [0x81, 2, 3]]] })],
    ['webp', webpFile(vp8x(0x20), riffChunk('ICCP', profile), VP8L)],
  ];

  it.each(inputs)('%s: colour tags byte for byte, no planted text, verbatim on request', (format, input) => {
    // Act
    const result = sanitizeImage(input);
    const verbatim = sanitizeImage(input, { keepColorProfileVerbatim: true });

    // Assess
    for (const secret of [...SECRETS, ...Object.values(PLANTED)]) expect(containsText(result.bytes, secret), secret).toBe(false);
    const [kept] = findIccProfiles(result.bytes);
    const before = readIcc(profile);
    for (const signature of COLOUR) expect(iccTag(kept, signature)?.equals(iccTag(before, signature)!), signature).toBe(true);
    expect(result.kept.filter((item) => item.kind === 'icc')).toHaveLength(1);
    expect(result.removed.some((item) => item.kind === 'text' && item.label?.startsWith('ICC profile: '))).toBe(true);
    expect(sanitizeImage(result.bytes).removed, 'idempotent').toEqual([]);
    expect(result.bytes.length, 'the profile shrinks without its text').toBeLessThan(input.length);
    expect(Buffer.from(verbatim.bytes).includes(profile), 'verbatim').toBe(true);
  });
});

describe('a zlib-compressed profile (PNG iCCP)', () => {
  it('is inflated, rewritten without its text and stored again; a clean one comes back unchanged', async () => {
    const { deflateSync, inflateSync } = await import('node:zlib');
    const profile = buildProfile(plantedSpec(4));
    const stream = new Uint8Array(deflateSync(profile, { level: 9 }));
    const kept = keepCompressedIccProfile(stream, 0, stream.length, { verbatim: false });
    if ('refused' in kept) throw new Error(kept.refused);
    const inflated = inflateSync(kept.bytes);
    for (const secret of SECRETS) expect(inflated.includes(Buffer.from(secret, 'utf16le').swap16()), secret).toBe(false);
    for (const signature of COLOUR) expect(iccTag(readIcc(inflated), signature)?.equals(iccTag(readIcc(profile), signature)!), signature).toBe(true);
    const again = keepCompressedIccProfile(kept.bytes, 0, kept.bytes.length, { verbatim: false });
    expect('bytes' in again && again.removed.length === 0 && Buffer.from(again.bytes).equals(Buffer.from(kept.bytes))).toBe(true);
    expect(keepCompressedIccProfile(ascii('not zlib'), 0, 8, { verbatim: false })).toEqual({ refused: 'not a zlib stream (not a zlib header)' });
    const text = new Uint8Array(deflateSync(Buffer.from(SECRETS[0])));
    expect(keepCompressedIccProfile(text, 0, text.length, { verbatim: true })).toEqual({ refused: 'not a whole profile' });
  });
});

describe('a WebP ICCP chunk is judged like every other profile (it used to be kept unchecked)', () => {
  it('removes an ICCP that is text, not a profile, and reports why', () => {
    const input = webpFile(vp8x(0x20), riffChunk('ICCP', SECRETS[0]), VP8L);
    const result = sanitizeImage(input);
    expect(containsText(result.bytes, SECRETS[0])).toBe(false);
    expect(result.removed.map((item) => item.label)).toContain('ICCP, not a whole profile');
    expect(result.kept.filter((item) => item.kind === 'icc')).toEqual([]);
    expect(sanitizeImage(result.bytes).removed).toEqual([]);
  });
});
