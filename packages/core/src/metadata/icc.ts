/**
 * ICC colour profiles (ICC.1:2022 = v4.4; ICC.1:2001-04 = v2.4): the one
 * judge of "exactly one whole profile" that every format calls, and the
 * rewriter that keeps a profile's colour data and drops its text.
 *
 * A profile is a 128-byte header (7.2), a tag table (7.3: a count, then a
 * signature, offset and size per tag) and tag data. The rewriter copies the
 * colour tags (colorimetric, TRC, LUT/CLUT, chromatic adaptation, ...) byte
 * for byte (their reserved bytes zeroed, bytes past their structure cut),
 * replaces `desc` and `cprt` with neutral text, drops every other tag
 * (`dmnd`, `dmdd`, `vued`, `meta`, `targ`, private and unknown ones), zeroes
 * the header's date, creator, platform, CMM and device fields, rebuilds the
 * tag table (tags that share data still share it) and recomputes the
 * profile ID (7.2.18) for v4 profiles.
 *
 * Positions: `start` is where the profile's size field is, `end` one past
 * its last byte; tag offsets are relative to `start` as in the spec.
 */
import { fourCC, hasAscii, u16be, u32be } from '../bytes/read.js';
import { md5 } from '../bytes/md5.js';
import { asciiBytes, writeU16be, writeU32be } from '../bytes/write.js';
import { deflateStored, InflateError, inflateZlib } from '../bytes/zlib.js';

/** 7.2: the header. */
export const ICC_HEADER_SIZE = 128;
const SIGNATURE_AT = 36; // 7.2.9 profile file signature
const SIGNATURE = 'acsp';
const TAG_COUNT_SIZE = 4; // 7.3.2
const TAG_ENTRY_SIZE = 12; // 7.3.1: signature, offset, size
/** Tags one profile may list. Real profiles have 10 to 40. */
const MAX_TAGS = 1000;
/** Major versions whose header and tag types this rewriter knows (2.x and 4.x; 5 is iccMAX). */
const KNOWN_MAJOR_VERSIONS = new Set([2, 4]);

/** Header fields (7.2) that the rewriter copies; every other header byte is written as zero. */
const HEADER_VERSION_AT = 8; // 7.2.4: major (1 byte), minor and bug-fix (1 byte), 2 reserved bytes
const HEADER_CLASS_AT = 12; // 7.2.5 device class, 7.2.6 data colour space, 7.2.7 PCS: 12 bytes
const HEADER_FLAGS_AT = 44; // 7.2.11: bits 0-1 defined (embedded, not independent), 2-15 reserved, 16-31 CMM-private
const FLAGS_DEFINED = 0x3;
const HEADER_INTENT_AT = 64; // 7.2.15: bits 0-15 the intent, 16-31 reserved
const HEADER_ILLUMINANT_AT = 68; // 7.2.16: PCS illuminant, 12 bytes
const HEADER_ID_AT = 84; // 7.2.18: profile ID, 16 bytes
const PROFILE_ID_SIZE = 16;
const TAG_TYPE_HEADER_SIZE = 8; // 10.1: type signature, 4 reserved bytes

/** Tag types' exact size from their first bytes (10.x), or `undefined` when `size` bytes are too few for the structure. */
type Sizer = (bytes: Uint8Array, at: number, size: number) => number | undefined;

/* @__NO_SIDE_EFFECTS__ */
const fixed =
  (exact: number): Sizer =>
  (_b, _a, size) =>
    size >= exact ? exact : undefined;
/* @__NO_SIDE_EFFECTS__ */
const counted =
  (countAt: number, countSize: 2 | 4, header: number, each: number): Sizer =>
  (bytes, at, size) => {
    if (size < countAt + countSize) return undefined;
    const count = countSize === 2 ? u16be(bytes, at + countAt) : u32be(bytes, at + countAt);
    const exact = header + count * each;
    return size >= exact ? exact : undefined;
  };
/** At least `minimum` bytes, as many as the tag's size says (offset-based structures: mAB, mBA, mpet). */
/* @__NO_SIDE_EFFECTS__ */
const declared =
  (minimum: number): Sizer =>
  (_b, _a, size) =>
    size >= minimum ? size : undefined;

/** 10.18 parametricCurveType: parameters per function type 0..4. */
const PARA_PARAMETERS = [1, 3, 4, 5, 7];
const sizePara: Sizer = (bytes, at, size) => {
  if (size < 12) return undefined;
  const parameters = PARA_PARAMETERS[u16be(bytes, at + 8)];
  if (parameters === undefined) return undefined;
  const exact = 12 + 4 * parameters;
  return size >= exact ? exact : undefined;
};
/** 10.10/10.11 lut8Type and lut16Type: matrix, input tables, CLUT (gridPoints^inputs × outputs), output tables. */
/* @__NO_SIDE_EFFECTS__ */
const sizeLut =
  (entrySize: 1 | 2): Sizer =>
  (bytes, at, size) => {
    const fixedPart = entrySize === 1 ? 48 : 52;
    if (size < fixedPart) return undefined;
    const inputs = bytes[at + 8];
    const outputs = bytes[at + 9];
    const grid = bytes[at + 10];
    const inEntries = entrySize === 1 ? 256 : u16be(bytes, at + 48);
    const outEntries = entrySize === 1 ? 256 : u16be(bytes, at + 50);
    let clut = outputs;
    for (let i = 0; i < inputs && clut <= size; i++) clut *= grid;
    const exact = fixedPart + entrySize * (inEntries * inputs + clut + outEntries * outputs);
    return inputs > 0 && outputs > 0 && size >= exact ? exact : undefined;
  };

const CURVES: Record<string, Sizer> = { curv: counted(8, 4, 12, 2), para: sizePara }; // 10.6, 10.18
const LUTS: Record<string, Sizer> = { mft1: sizeLut(1), mft2: sizeLut(2), 'mAB ': declared(32), 'mBA ': declared(32) }; // 10.10-10.13
const MULTI_PROCESS: Record<string, Sizer> = { mpet: declared(16) }; // 10.14

/** Colour tags (9.2) kept byte for byte, and the tag types each may have. */
const COLOUR_TAGS: ReadonlyMap<string, Record<string, Sizer>> = /* @__PURE__ */ colourTags();
function colourTags(): ReadonlyMap<string, Record<string, Sizer>> {
  return new Map([
    ...['rXYZ', 'gXYZ', 'bXYZ', 'wtpt', 'bkpt', 'lumi'].map((s) => [s, { 'XYZ ': fixed(20) }] as const), // colorants, white, black, luminance: one XYZNumber each (10.31)
    ...['rTRC', 'gTRC', 'bTRC', 'kTRC'].map((s) => [s, CURVES] as const), // tone reproduction curves
    ...['A2B0', 'A2B1', 'A2B2', 'B2A0', 'B2A1', 'B2A2', 'gamt', 'pre0', 'pre1', 'pre2'].map((s) => [s, LUTS] as const), // 9.2.1-9.2.9, 9.2.30, 9.2.37-39
    ...['D2B0', 'D2B1', 'D2B2', 'D2B3', 'B2D0', 'B2D1', 'B2D2', 'B2D3'].map((s) => [s, MULTI_PROCESS] as const), // 9.2.x floating-point transforms
    ['chad', { sf32: fixed(44) }], // 9.2.15 chromaticAdaptationTag: nine s15Fixed16Numbers
    ['chrm', { chrm: counted(8, 2, 12, 8) }], // 9.2.16 chromaticityTag
    ['clro', { clro: counted(8, 4, 12, 1) }], // 9.2.19 colorantOrderTag
    ['meas', { meas: fixed(36) }], // 9.2.33 measurementTag: numbers only
    ['view', { view: fixed(36) }], // 9.2.48 viewingConditionsTag: numbers only
    ['cicp', { cicp: fixed(12) }], // 9.2.17 cicpTag (v4.4)
  ]);
}
/** Free-text tags (9.2.22, 9.2.41) replaced with neutral text; every tag not named here or above is dropped. */
const TAG_DESCRIPTION = 'desc';
const TAG_COPYRIGHT = 'cprt';

/** What a kept profile's `desc` says; the original text may name a person, a machine or a place. */
export const NEUTRAL_DESCRIPTION = 'ICC profile';
/** Descriptions of public standard profiles: kept, they name no one and tell a user what the colours are. */
const WELL_KNOWN_DESCRIPTIONS = new Set([
  'sRGB IEC61966-2.1',
  'sRGB IEC61966-2-1 black scaled',
  'sRGB',
  'sRGB built-in',
  'Display P3',
  'Adobe RGB (1998)',
  'ProPhoto RGB',
  'DCI-P3',
  'Rec. ITU-R BT.2020-1',
  'ITU-R BT.2020',
  'Generic Gray Gamma 2.2 Profile',
  'Dot Gain 20%',
  'Coated FOGRA39 (ISO 12647-2:2004)',
  'U.S. Web Coated (SWOP) v2',
]);
const LONGEST_WELL_KNOWN = /* @__PURE__ */ Math.max(...[...WELL_KNOWN_DESCRIPTIONS].map((d) => d.length));

/**
 * The one judge: `bytes[start..end)` is exactly one whole ICC profile — at
 * least a header and a tag count, its own size field (7.2.2) equal to the
 * payload (no bytes ride along), the `acsp` signature (7.2.9) and a tag
 * table that lies inside it.
 */
export function isWholeIccProfile(bytes: Uint8Array, start: number, end: number): boolean {
  const size = end - start;
  if (start < 0 || end > bytes.length || size < ICC_HEADER_SIZE + TAG_COUNT_SIZE) return false;
  if (u32be(bytes, start) !== size || !hasAscii(bytes, start + SIGNATURE_AT, SIGNATURE)) return false;
  const count = u32be(bytes, start + ICC_HEADER_SIZE);
  return count <= Math.floor((size - ICC_HEADER_SIZE - TAG_COUNT_SIZE) / TAG_ENTRY_SIZE);
}

/** What the rewriter made of a profile. */
export type KeptProfile =
  | {
      /** The profile to write: a fresh array, or a view of the input when nothing changes. */
      bytes: Uint8Array;
      /** What was removed from it, by name (never a value); empty when the profile is already clean. */
      removed: string[];
    }
  | {
      /** Why the profile goes whole (it is not a profile, or not one this rewriter understands). */
      refused: string;
    };

export interface KeepOptions {
  /** Keep the profile exactly as it is (after the whole-profile judge). */
  verbatim: boolean;
  /**
   * The rewritten profile must be exactly this size (a container that cannot
   * move bytes): it is padded with zeros after its tag data, and refused
   * when it would be larger.
   */
  size?: number;
}

/**
 * The profile in `bytes[start..end)` as the output carries it: verbatim when
 * asked, otherwise rebuilt without text. `refused` when it is no whole
 * profile, or when clean and of a version or structure the rewriter does not
 * know (then it is removed, never kept as it is).
 */
export function keepIccProfile(bytes: Uint8Array, start: number, end: number, options: KeepOptions): KeptProfile {
  if (!isWholeIccProfile(bytes, start, end)) return { refused: 'not a whole profile' };
  const profile = bytes.subarray(start, end);
  if (options.verbatim) return { bytes: profile, removed: [] };
  const rebuilt = rebuild(profile, options.size);
  if (typeof rebuilt === 'string') return { refused: rebuilt };
  if (sameBytes(rebuilt.bytes, profile)) return { bytes: profile, removed: [] };
  return rebuilt.removed.length > 0 ? rebuilt : { bytes: rebuilt.bytes, removed: ['bytes no tag uses'] };
}

interface TagEntry {
  signature: string;
  offset: number;
  size: number;
}

/** A tag's data as written: copied from the input, or fresh text. */
interface Piece {
  bytes: Uint8Array;
  /** Where it goes in the output. */
  at: number;
}

function rebuild(profile: Uint8Array, exactSize: number | undefined): { bytes: Uint8Array; removed: string[] } | string {
  const major = profile[HEADER_VERSION_AT];
  if (!KNOWN_MAJOR_VERSIONS.has(major)) return `ICC version ${major} profile`;
  const count = u32be(profile, ICC_HEADER_SIZE);
  if (count > MAX_TAGS) return `more than ${MAX_TAGS} tags`;
  const removed = new Set<string>();
  const entries: { signature: string; piece: Piece }[] = [];
  const shared = new Map<string, Piece>(); // "offset:size" of copied data: tags that shared data still do
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const at = ICC_HEADER_SIZE + TAG_COUNT_SIZE + i * TAG_ENTRY_SIZE;
    const tag: TagEntry = { signature: fourCC(profile, at), offset: u32be(profile, at + 4), size: u32be(profile, at + 8) };
    if (seen.has(tag.signature)) return 'a tag listed twice';
    seen.add(tag.signature);
    const types = COLOUR_TAGS.get(tag.signature);
    if (types !== undefined) {
      if (tag.offset < ICC_HEADER_SIZE || tag.size > profile.length - tag.offset) return 'a colour tag outside the profile';
      if (tag.size < TAG_TYPE_HEADER_SIZE) return 'a colour tag too short for its type';
      const sizer = types[fourCC(profile, tag.offset)];
      const exact = sizer?.(profile, tag.offset, tag.size);
      if (exact === undefined) return `a ${printable(tag.signature)} tag of an unexpected type or size`;
      if (exact < tag.size) removed.add('bytes after tag data');
      const key = `${tag.offset}:${exact}`;
      let piece = shared.get(key);
      if (piece === undefined) {
        const copy = profile.slice(tag.offset, tag.offset + exact);
        copy.fill(0, 4, TAG_TYPE_HEADER_SIZE); // 10.1: reserved, shall be zero
        piece = { bytes: copy, at: 0 };
        shared.set(key, piece);
      }
      entries.push({ signature: tag.signature, piece });
    } else if (tag.signature === TAG_DESCRIPTION || tag.signature === TAG_COPYRIGHT) {
      const description = tag.signature === TAG_DESCRIPTION;
      const original = description ? wellKnownDescription(profile, tag) : undefined;
      const text = original ?? (description ? NEUTRAL_DESCRIPTION : '');
      const unicode = tag.offset + 4 <= profile.length && hasAscii(profile, tag.offset, 'mluc');
      const textType = unicode || major >= 4 ? mlucType(text) : description ? descType(text) : plainTextType(text);
      entries.push({ signature: tag.signature, piece: { bytes: textType, at: 0 } });
      if (original === undefined) removed.add(description ? 'profile description' : 'copyright');
    } else {
      removed.add(TAG_NAMES[tag.signature] ?? 'private or unknown tags');
    }
  }

  // Layout: header, table, then each piece once, in table order, on 4-byte boundaries (7.1.2, 7.3.1).
  let at = ICC_HEADER_SIZE + TAG_COUNT_SIZE + entries.length * TAG_ENTRY_SIZE;
  const pieces: Piece[] = [];
  for (const { piece } of entries) {
    if (pieces.includes(piece)) continue;
    piece.at = at;
    pieces.push(piece);
    at += piece.bytes.length + ((4 - (piece.bytes.length % 4)) % 4);
  }
  const size = exactSize ?? at;
  if (at > size) return 'no room for the rewritten profile';
  const out = new Uint8Array(size);
  writeU32be(out, 0, size);
  out[HEADER_VERSION_AT] = major;
  out[HEADER_VERSION_AT + 1] = profile[HEADER_VERSION_AT + 1];
  out.set(profile.subarray(HEADER_CLASS_AT, HEADER_CLASS_AT + 12), HEADER_CLASS_AT);
  out.set(asciiBytes(SIGNATURE), SIGNATURE_AT);
  out[HEADER_FLAGS_AT + 3] = profile[HEADER_FLAGS_AT + 3] & FLAGS_DEFINED;
  out.set(profile.subarray(HEADER_INTENT_AT + 2, HEADER_INTENT_AT + 4), HEADER_INTENT_AT + 2);
  out.set(profile.subarray(HEADER_ILLUMINANT_AT, HEADER_ILLUMINANT_AT + 12), HEADER_ILLUMINANT_AT);
  if (!headerKept(profile, out)) removed.add('header date, creator and device fields');
  writeU32be(out, ICC_HEADER_SIZE, entries.length);
  entries.forEach(({ signature, piece }, i) => {
    const entry = ICC_HEADER_SIZE + TAG_COUNT_SIZE + i * TAG_ENTRY_SIZE;
    out.set(asciiBytes(signature), entry);
    writeU32be(out, entry + 4, piece.at);
    writeU32be(out, entry + 8, piece.bytes.length);
  });
  for (const piece of pieces) out.set(piece.bytes, piece.at);
  if (major >= 4) out.set(profileId(out), HEADER_ID_AT);
  return { bytes: out, removed: [...removed] };
}

/** True when every header byte the rewriter does not copy was zero already (the profile ID aside: it is recomputed). */
function headerKept(profile: Uint8Array, out: Uint8Array): boolean {
  for (let i = 4; i < ICC_HEADER_SIZE; i++) {
    if (i >= HEADER_ID_AT && i < HEADER_ID_AT + PROFILE_ID_SIZE) continue;
    if (profile[i] !== out[i]) return false;
  }
  return true;
}

/** 7.2.18: MD5 of the whole profile with the flags, rendering intent and profile ID fields set to zero. */
export function profileId(profile: Uint8Array): Uint8Array {
  const copy = profile.slice();
  copy.fill(0, HEADER_FLAGS_AT, HEADER_FLAGS_AT + 4);
  copy.fill(0, HEADER_INTENT_AT, HEADER_INTENT_AT + 4);
  copy.fill(0, HEADER_ID_AT, HEADER_ID_AT + PROFILE_ID_SIZE);
  return md5(copy);
}

/** The description when it is exactly one of the public standard names (ASCII of a v2 `desc`, or the first `mluc` record). */
function wellKnownDescription(profile: Uint8Array, tag: TagEntry): string | undefined {
  const { offset, size } = tag;
  if (offset < ICC_HEADER_SIZE || size > profile.length - offset || size < 12) return undefined;
  let text = '';
  if (hasAscii(profile, offset, 'desc')) {
    // 10.x textDescriptionType (v2): ASCII count (with its NUL), ASCII
    const length = u32be(profile, offset + 8);
    if (length < 1 || length - 1 > LONGEST_WELL_KNOWN || 12 + length > size) return undefined;
    for (let i = 0; i < length - 1; i++) text += String.fromCharCode(profile[offset + 12 + i]);
    if (profile[offset + 12 + length - 1] !== 0) return undefined;
  } else if (hasAscii(profile, offset, 'mluc') && size >= 28) {
    // 10.15 multiLocalizedUnicodeType: records of language, country, length, offset (from the tag's start); UTF-16BE
    const records = u32be(profile, offset + 8);
    const length = u32be(profile, offset + 20);
    const from = u32be(profile, offset + 24);
    if (records < 1 || length % 2 !== 0 || length / 2 > LONGEST_WELL_KNOWN || from + length > size) return undefined;
    for (let i = 0; i < length; i += 2) text += String.fromCharCode(u16be(profile, offset + from + i));
  }
  return WELL_KNOWN_DESCRIPTIONS.has(text) ? text : undefined;
}

/** 10.15 multiLocalizedUnicodeType with one en-US record. */
function mlucType(text: string): Uint8Array {
  const out = new Uint8Array(28 + 2 * text.length);
  out.set(asciiBytes('mluc'));
  writeU32be(out, 8, 1); // number of records
  writeU32be(out, 12, 12); // record size
  out.set(asciiBytes('enUS'), 16);
  writeU32be(out, 20, 2 * text.length);
  writeU32be(out, 24, 28);
  for (let i = 0; i < text.length; i++) writeU16be(out, 28 + 2 * i, text.charCodeAt(i));
  return out;
}

/** ICC.1:2001-04 6.5.17 textDescriptionType (v2 `desc`): ASCII, an empty Unicode part, an empty ScriptCode part. */
function descType(text: string): Uint8Array {
  const ascii = text.length + 1;
  const out = new Uint8Array(12 + ascii + 8 + 3 + 67);
  out.set(asciiBytes('desc'));
  writeU32be(out, 8, ascii);
  out.set(asciiBytes(text), 12);
  // Unicode language code and count (0), ScriptCode code (0) and count (0), 67 bytes of ScriptCode: all zero.
  return out;
}

/** ICC.1:2001-04 6.5.18 textType (v2 `cprt`): NUL-terminated ASCII. */
function plainTextType(text: string): Uint8Array {
  const out = new Uint8Array(8 + text.length + 1);
  out.set(asciiBytes('text'));
  out.set(asciiBytes(text), 8);
  return out;
}

/** Names of the dropped tags the report lists (9.2); anything else is "private or unknown". */
const TAG_NAMES: Readonly<Record<string, string>> = {
  dmnd: 'device manufacturer description',
  dmdd: 'device model description',
  vued: 'viewing conditions description',
  meta: 'metadata dictionary',
  targ: 'characterization target',
  calt: 'calibration date',
  pseq: 'profile sequence description',
  psid: 'profile sequence identifier',
  ncl2: 'named colours',
  clrt: 'colorant names',
  clot: 'colorant names',
  tech: 'technology',
  ciis: 'image state',
  rig0: 'rendering intent gamut',
  rig2: 'rendering intent gamut',
  resp: 'output response',
  dscm: 'localized description (Apple)',
  mmod: 'make and model (Apple)',
};

function printable(signature: string): string {
  return signature.replace(/[^\x21-\x7e]/g, '?');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Largest profile a compressed container may inflate to (real profiles: a few KiB, printer profiles a few MiB). */
export const MAX_COMPRESSED_PROFILE_SIZE = 8 * 1024 * 1024;

/**
 * A zlib-compressed profile (PNG iCCP, PNG 11.3.3.3) as the output carries
 * it: inflated (bounded), judged and rewritten like any other, then written
 * back as a zlib stream of stored blocks. Verbatim keeps the compressed
 * stream as it is once the profile inside it is whole.
 */
export function keepCompressedIccProfile(bytes: Uint8Array, start: number, end: number, options: KeepOptions): KeptProfile {
  let profile: Uint8Array;
  try {
    profile = inflateZlib(bytes, start, end, MAX_COMPRESSED_PROFILE_SIZE);
  } catch (error) {
    if (error instanceof InflateError) return { refused: `not a zlib stream (${error.message})` };
    throw error;
  }
  const kept = keepIccProfile(profile, 0, profile.length, options);
  if ('refused' in kept) return kept;
  if (options.verbatim) return { bytes: bytes.subarray(start, end), removed: [] };
  const stream = deflateStored(kept.bytes);
  if (kept.removed.length === 0 && sameBytes(stream, bytes.subarray(start, end))) return { bytes: bytes.subarray(start, end), removed: [] };
  return { bytes: stream, removed: kept.removed.length > 0 ? kept.removed : ['compression'] };
}
