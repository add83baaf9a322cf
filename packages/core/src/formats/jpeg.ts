/**
 * JPEG (ITU-T T.81) container walker.
 *
 * Positions: `offset` is where a marker's `FF` starts, `length` the size of
 * the whole segment (marker + length field + content), `start` where the
 * content begins, `end` one past the segment.
 *
 * Kept: SOI, DQT, DHT, DAC, SOFn, DRI, DHP, EXP, SOS with its entropy-coded
 * data (RSTn inside), DNL, EOI; JFIF (rewritten without thumbnail), Adobe
 * APP14 (rewritten to its 12 defined bytes), APP2 ICC_PROFILE chunks (when
 * asked) and a fresh orientation-only APP1 Exif (when asked and not 1).
 * Everything else is removed, including all bytes after the primary EOI.
 */
import { asciiBytes, ByteSink, writeU16be } from '../bytes/write.js';
import { hasAscii, u16be, u32be } from '../bytes/read.js';
import { SanitizeError } from '../errors.js';
import { isOrientationOnlyTiff, ORIENTATION_TIFF_SIZE, readOrientation, writeOrientationTiff } from '../metadata/exif.js';
import type { ResolvedOptions } from '../options.js';
import type { MetadataItem, MetadataKind } from '../types.js';
import type { FormatHandler, Plan, WalkMode } from './handler.js';

const MARKER_PREFIX = 0xff;
const TEM = 0x01; // ff 01, standalone, arithmetic-coding temporary
const SOF0 = 0xc0; // ff c0 .. ff cf: SOFn, except DHT, JPG and DAC
const DHT = 0xc4; // ff c4
const JPG = 0xc8; // ff c8, reserved for JPEG extensions
const DAC = 0xcc; // ff cc
const SOF15 = 0xcf;
const RST0 = 0xd0; // ff d0 .. ff d7
const RST7 = 0xd7;
const SOI = 0xd8; // ff d8
const EOI = 0xd9; // ff d9
const SOS = 0xda; // ff da
const DQT = 0xdb; // ff db
const DNL = 0xdc; // ff dc
const DRI = 0xdd; // ff dd
const DHP = 0xde; // ff de
const EXP = 0xdf; // ff df
const APP0 = 0xe0; // ff e0 .. ff ef
const APP1 = 0xe1;
const APP2 = 0xe2;
const APP13 = 0xed;
const APP14 = 0xee;
const APP15 = 0xef;
const COM = 0xfe; // ff fe

const JFIF_ID = 'JFIF\0';
const JFXX_ID = 'JFXX\0';
const EXIF_ID = 'Exif\0\0';
const XMP_ID = 'http://ns.adobe.com/xap/1.0/\0';
const XMP_EXTENSION_ID = 'http://ns.adobe.com/xmp/extension/\0';
const ICC_ID = 'ICC_PROFILE\0';
const MPF_ID = 'MPF\0';
const PHOTOSHOP_ID = 'Photoshop 3.0\0';
const ADOBE_ID = 'Adobe';

/** JFIF content without thumbnail: identifier, version, units, densities, 0x0 thumbnail. */
const JFIF_CONTENT_SIZE = 14;
/** Adobe APP14 content: identifier, DCTEncodeVersion, APP14Flags0, APP14Flags1, ColorTransform. */
const ADOBE_CONTENT_SIZE = 12;
/** ICC.1:2022 7.2: the profile header; its size field (7.2.2) is at byte 0, the `acsp` signature (7.2.9) at byte 36. */
const ICC_HEADER_SIZE = 128;
const ICC_SIGNATURE_AT = 36;
/** ICC.1 Annex B.4: each APP2 chunk holds `ICC_PROFILE\0`, its sequence number (from 1) and the chunk count, then profile bytes. */
const ICC_CHUNK_HEADER_SIZE = ICC_ID.length + 2;
/** Real progressive files have tens of scans; thousands is an attack on decoders downstream. */
export const MAX_SCANS = 1000;

const isSof = (m: number) => m >= SOF0 && m <= SOF15 && m !== DHT && m !== JPG && m !== DAC;
export const isRst = (m: number) => m >= RST0 && m <= RST7;
export const isApp = (m: number) => m >= APP0 && m <= APP15;
/** Segments that decoding needs, copied as they are. */
export const isTableOrFrame = (m: number) =>
  isSof(m) || m === DHT || m === DQT || m === DAC || m === DRI || m === DNL || m === DHP || m === EXP;

/**
 * True when a kept segment's content is exactly what T.81 says it holds, with
 * values in range, so that no other bytes can pass as a table: DQT (B.2.4.1),
 * DHT (B.2.4.2), DAC (B.2.4.3), SOFn/DHP (B.2.2), SOS (B.2.3), DRI (B.2.4.4),
 * DNL (B.2.5), EXP (B.3.3).
 */
export function wellFormed(marker: number, input: Uint8Array, start: number, end: number): boolean {
  const size = end - start;
  const high = (at: number) => input[at] >> 4;
  const low = (at: number) => input[at] & 0x0f;
  if (marker === DQT) {
    let at = start;
    while (at < end) {
      const precision = high(at);
      if (precision > 1 || low(at) > 3) return false;
      const tableEnd = at + 1 + 64 * (precision + 1);
      if (tableEnd > end) return false;
      for (let i = at + 1; i < tableEnd; i += precision + 1) {
        if (input[i] === 0 && (precision === 0 || input[i + 1] === 0)) return false; // a zero quantiser divides by zero
      }
      at = tableEnd;
    }
    return at === end;
  }
  if (marker === DHT) {
    let at = start;
    while (at < end) {
      if (at + 17 > end || high(at) > 1 || low(at) > 3) return false;
      let values = 0;
      let codes = 2; // codes still free at the current length (Kraft inequality)
      for (let i = 1; i <= 16; i++) {
        const count = input[at + i];
        if (count > codes) return false;
        values += count;
        codes = (codes - count) * 2;
      }
      if (values > 256) return false;
      at += 17 + values;
    }
    return at === end;
  }
  if (marker === DAC) {
    if (size % 2 !== 0) return false;
    for (let at = start; at < end; at += 2) {
      const tableClass = high(at);
      const value = input[at + 1];
      if (tableClass > 1 || low(at) > 3) return false;
      if (tableClass === 0 ? (value & 0x0f) > value >> 4 : value < 1 || value > 63) return false;
    }
    return true;
  }
  if (isSof(marker) || marker === DHP) {
    const components = input[start + 5];
    if (size < 6 || components < 1 || size !== 6 + 3 * components) return false;
    const precision = input[start];
    if (precision < 2 || precision > 16) return false;
    for (let at = start + 6; at < end; at += 3) {
      const h = high(at + 1);
      const v = low(at + 1);
      if (h < 1 || h > 4 || v < 1 || v > 4 || input[at + 2] > 3) return false;
    }
    return true;
  }
  if (marker === SOS) {
    const components = input[start];
    if (size < 1 || components < 1 || components > 4 || size !== 4 + 2 * components) return false;
    for (let at = start + 1; at < start + 1 + 2 * components; at += 2) {
      if (high(at + 1) > 3 || low(at + 1) > 3) return false;
    }
    const spectralEnd = input[end - 2];
    return input[end - 3] <= 63 && spectralEnd <= 63 && high(end - 1) <= 13 && low(end - 1) <= 13;
  }
  if (marker === DRI || marker === DNL) return size === 2;
  if (marker === EXP) return size === 1;
  return true;
}

export function markerName(m: number): string {
  if (isApp(m)) return `APP${m - APP0}`;
  if (m === COM) return 'COM';
  return `FF${m.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** The identifier that opens an APPn segment (printable ASCII up to NUL, at most 16 chars), e.g. `Ducky`. */
function appIdentifier(input: Uint8Array, start: number, end: number): string {
  let label = '';
  for (let i = start; i < end && label.length < 16; i++) {
    const c = input[i];
    if (c < 0x20 || c > 0x7e) break;
    label += String.fromCharCode(c);
  }
  return label;
}

/** What a removed APPn or COM segment is, from its identifier. */
function identify(marker: number, input: Uint8Array, start: number, end: number): { kind: MetadataKind; label?: string } {
  const has = (id: string) => hasAscii(input, start, id);
  if (marker === COM) return { kind: 'comment' };
  if (marker === APP0 && has(JFIF_ID)) return { kind: 'jfif', label: 'JFIF' };
  if (marker === APP0 && has(JFXX_ID)) return { kind: 'thumbnail', label: 'JFXX' };
  if (marker === APP1 && has(EXIF_ID)) return { kind: 'exif', label: 'Exif' };
  if (marker === APP1 && has(XMP_ID)) return { kind: 'xmp', label: 'XMP' };
  if (marker === APP1 && has(XMP_EXTENSION_ID)) return { kind: 'xmp-extended', label: 'Extended XMP' };
  if (marker === APP2 && has(ICC_ID) && end - start >= ICC_ID.length + 2) {
    return { kind: 'icc', label: `ICC_PROFILE ${input[start + ICC_ID.length]}/${input[start + ICC_ID.length + 1]}` };
  }
  if (marker === APP2 && has(MPF_ID)) return { kind: 'secondary-image', label: 'MPF' };
  if (marker === APP13 && has(PHOTOSHOP_ID)) return { kind: 'iptc', label: 'Photoshop 3.0' };
  if (marker === APP14 && has(ADOBE_ID)) return { kind: 'adobe', label: 'Adobe' };
  return { kind: 'application', label: appIdentifier(input, start, end) };
}

/** Builds a segment `FF <marker> <length> <content>`. */
function segment(marker: number, content: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + content.length);
  out[0] = MARKER_PREFIX;
  out[1] = marker;
  writeU16be(out, 2, content.length + 2);
  out.set(content, 4);
  return out;
}

const EOI_BYTES = new Uint8Array([MARKER_PREFIX, EOI]);
const SOI_BYTES = new Uint8Array([MARKER_PREFIX, SOI]);

class JpegWalker {
  private readonly n: number;
  private readonly removed: MetadataItem[] = [];
  private readonly kept: MetadataItem[] = [];
  private readonly body = new ByteSink();
  private readonly iccChunks: Uint8Array[] = [];
  private readonly iccItems: MetadataItem[] = [];
  private jfif: Uint8Array | undefined;
  private adobe: Uint8Array | undefined;
  private orientation: number | undefined;
  private exifOffset = 0;
  private seenFrame = false;
  private hierarchical = false;
  private scans = 0;
  private readonly entropySizes: number[] = [];

  constructor(
    private readonly input: Uint8Array,
    private readonly options: ResolvedOptions,
    /** In a verify walk: the entropy-coded data sizes found by the first walk. */
    private readonly knownEntropySizes?: readonly number[],
  ) {
    this.n = input.length;
  }

  private fail(code: 'TRUNCATED' | 'MALFORMED' | 'UNSUPPORTED_FORMAT' | 'LIMIT_EXCEEDED', message: string, offset: number): never {
    throw new SanitizeError(code, message, { format: 'jpeg', offset });
  }

  private remove(kind: MetadataKind, container: string, offset: number, length: number, label?: string): void {
    this.removed.push(label === undefined ? { kind, container, offset, length } : { kind, container, offset, length, label });
  }

  walk(): Plan {
    const { input, n } = this;
    if (n < 4 || input[0] !== MARKER_PREFIX || input[1] !== SOI) this.fail('UNSUPPORTED_FORMAT', 'Not a JPEG: no SOI marker', 0);
    let pos = 2;
    for (;;) {
      pos = this.toMarker(pos);
      // pos is at FF, input[pos + 1] is a marker byte (not 00, not FF).
      const marker = input[pos + 1];
      if (marker === EOI) {
        if (this.scans === 0) this.fail('MALFORMED', 'EOI before any scan: the JPEG has no image data', pos);
        return this.finish(pos + 2);
      }
      if (isRst(marker) || marker === TEM) {
        pos += 2; // standalone markers outside a scan carry nothing
        continue;
      }
      if (marker === SOI) this.fail('MALFORMED', 'SOI inside the image', pos);
      if (pos + 4 > n) this.fail('TRUNCATED', `${markerName(marker)} segment header runs past the end`, pos);
      const declared = u16be(input, pos + 2);
      if (declared < 2) this.fail('MALFORMED', `${markerName(marker)} segment length ${declared} is below 2`, pos);
      const end = pos + 2 + declared;
      if (end > n) this.fail('TRUNCATED', `${markerName(marker)} segment runs past the end of the input`, pos);

      if ((marker === SOS || isTableOrFrame(marker)) && !wellFormed(marker, input, pos + 4, end)) {
        this.fail('MALFORMED', `${markerName(marker)} segment content does not match its declared structure`, pos);
      }
      if (marker === SOS) {
        pos = this.scan(pos, end);
      } else if (isTableOrFrame(marker)) {
        if (marker === DHP) this.hierarchical = true;
        if (isSof(marker)) {
          // Only the hierarchical process (announced by DHP) has more than one frame. A second frame
          // elsewhere means a second image spliced in, e.g. an MPF image whose SOI and EOI were lost.
          if (this.seenFrame && !this.hierarchical) this.fail('MALFORMED', 'A second frame header in a non-hierarchical JPEG', pos);
          this.seenFrame = true;
        }
        this.body.push(input.subarray(pos, end));
        pos = end;
      } else if (isApp(marker) || marker === COM) {
        if (this.scans > 0) {
          const { kind, label } = identify(marker, input, pos + 4, end);
          this.remove(kind, markerName(marker), pos, end - pos, label === undefined ? 'between scans' : `${label}, between scans`);
        } else {
          this.classify(marker, pos, end);
        }
        pos = end;
      } else {
        // JPG, JPGn (ff f0..fd), RES (ff 02..bf): extensions we cannot judge. Fail closed.
        this.fail('UNSUPPORTED_FORMAT', `Unsupported JPEG marker ${markerName(marker)}`, pos);
      }
    }
  }

  /**
   * From `pos`, the offset of the next marker's `FF` with fill bytes skipped.
   * Bytes that are not a marker (a stray `FF 00`, junk after a segment) are
   * skipped the way libjpeg skips them, and reported as removed: they are
   * never copied.
   */
  private toMarker(pos: number): number {
    const { input, n } = this;
    let at = pos;
    for (;;) {
      at = input.indexOf(MARKER_PREFIX, at);
      if (at < 0 || at + 1 >= n) this.fail('TRUNCATED', 'The JPEG ends before its EOI marker', Math.min(pos, n));
      const next = input[at + 1];
      if (next === MARKER_PREFIX) {
        at += 1; // fill byte
        continue;
      }
      if (next === 0x00) {
        at += 2; // FF 00 outside a scan is not a marker
        continue;
      }
      break;
    }
    // `at` is the last FF before the marker byte; the run of fill bytes before it is legal.
    let first = at;
    while (first > pos && input[first - 1] === MARKER_PREFIX) first--;
    if (first > pos) this.remove('unknown', 'garbage', pos, first - pos, 'bytes between segments');
    return at;
  }

  /** Copies an SOS segment and its entropy-coded data; returns where the next marker starts. */
  private scan(pos: number, headerEnd: number): number {
    const { input, n } = this;
    if (!this.seenFrame) this.fail('MALFORMED', 'SOS before any SOF frame header', pos);
    this.scans++;
    if (this.scans > MAX_SCANS) this.fail('LIMIT_EXCEEDED', `More than ${MAX_SCANS} scans`, pos);
    if (this.knownEntropySizes !== undefined) return this.skipKnownScan(pos, headerEnd);
    let at = headerEnd;
    for (;;) {
      at = input.indexOf(MARKER_PREFIX, at);
      if (at < 0) this.fail('TRUNCATED', 'The JPEG ends inside its entropy-coded data (no EOI)', pos);
      let last = at;
      while (last + 1 < n && input[last + 1] === MARKER_PREFIX) last++;
      if (last + 1 >= n) this.fail('TRUNCATED', 'The JPEG ends inside its entropy-coded data (no EOI)', pos);
      const next = input[last + 1];
      if (next === 0x00 || isRst(next)) {
        at = last + 2; // stuffed FF data byte or restart marker: part of the scan
        continue;
      }
      break;
    }
    this.body.push(input.subarray(pos, at));
    this.entropySizes.push(at - headerEnd);
    return at;
  }

  /** Verify walk: step over a scan the first walk measured; a marker other than RSTn must follow it. */
  private skipKnownScan(pos: number, headerEnd: number): number {
    const { input, n } = this;
    const size = this.knownEntropySizes![this.scans - 1];
    const at = headerEnd + (size ?? n);
    const next = input[at + 1];
    if (size === undefined || at + 1 >= n || input[at] !== MARKER_PREFIX || next === 0x00 || isRst(next)) {
      this.fail('MALFORMED', 'Scan data does not end where the first walk found its end', pos);
    }
    this.body.push(input.subarray(pos, at));
    this.entropySizes.push(size);
    return at;
  }

  /** An APPn or COM segment before the first scan: kept when allowlisted, removed otherwise. */
  private classify(marker: number, pos: number, end: number): void {
    const { input, options } = this;
    const start = pos + 4;
    const size = end - start;
    const name = markerName(marker);
    const has = (id: string) => hasAscii(input, start, id);

    if (marker === APP0 && has(JFIF_ID) && size >= JFIF_CONTENT_SIZE && this.jfif === undefined) {
      const canonical = size === JFIF_CONTENT_SIZE && input[start + 12] === 0 && input[start + 13] === 0;
      if (canonical) {
        this.jfif = input.subarray(pos, end);
      } else {
        const content = input.slice(start, start + JFIF_CONTENT_SIZE);
        content[12] = 0; // no thumbnail
        content[13] = 0;
        this.jfif = segment(APP0, content);
        this.remove('thumbnail', name, pos, end - pos, 'JFIF thumbnail');
      }
      this.kept.push({ kind: 'jfif', container: name, offset: pos, length: end - pos, label: 'JFIF' });
      return;
    }
    if (marker === APP1 && has(EXIF_ID) && this.orientation === undefined) {
      const tiffStart = start + EXIF_ID.length;
      this.exifOffset = pos;
      this.orientation = readOrientation(input, tiffStart, end);
      // Our own orientation-only block, met again when re-walking an output, is written afresh: not a removal.
      if (options.keepOrientation && isOrientationOnlyTiff(input, tiffStart, end)) return;
    }
    if (marker === APP2 && has(ICC_ID) && size >= ICC_ID.length + 2 && options.keepColorProfile) {
      const label = `ICC_PROFILE ${input[start + ICC_ID.length]}/${input[start + ICC_ID.length + 1]}`;
      this.iccChunks.push(input.subarray(pos, end));
      this.iccItems.push({ kind: 'icc', container: name, offset: pos, length: end - pos, label });
      return;
    }
    if (marker === APP14 && has(ADOBE_ID) && size >= ADOBE_CONTENT_SIZE && this.adobe === undefined) {
      this.adobe = size === ADOBE_CONTENT_SIZE ? input.subarray(pos, end) : segment(APP14, input.subarray(start, start + ADOBE_CONTENT_SIZE));
      if (size !== ADOBE_CONTENT_SIZE) this.remove('unknown', name, pos, end - pos, 'bytes after Adobe APP14 fields');
      this.kept.push({ kind: 'adobe', container: name, offset: pos, length: end - pos, label: 'Adobe' });
      return;
    }
    const { kind, label } = identify(marker, input, start, end);
    this.remove(kind, name, pos, end - pos, label);
  }

  /**
   * The ICC chunks are copied as they are, so they must hold exactly one
   * profile: numbered 1..N of N in order, and the profile's own size field
   * equal to the bytes they carry, with the `acsp` signature. Otherwise any
   * bytes could pass as a profile.
   */
  private isWholeIccProfile(): boolean {
    const chunks = this.iccChunks;
    let size = 0;
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i];
      const at = 4 + ICC_ID.length; // FF E2, length, identifier
      if (chunk[at] !== i + 1 || chunk[at + 1] !== chunks.length) return false;
      size += chunk.length - 4 - ICC_CHUNK_HEADER_SIZE;
    }
    if (chunks.length === 0) return true;
    const first = chunks[0];
    const profile = 4 + ICC_CHUNK_HEADER_SIZE;
    // The header must lie in the first chunk (real writers fill chunks of ~65 kB).
    return first.length - profile >= ICC_HEADER_SIZE && u32be(first, profile) === size && hasAscii(first, profile + ICC_SIGNATURE_AT, 'acsp');
  }

  /** Assembles the output once the primary image's EOI at `end - 2` has been reached. */
  private finish(end: number): Plan {
    const { input, n, options } = this;
    if (end < n) {
      const trailer = input.subarray(end);
      const label = trailer[0] === MARKER_PREFIX && trailer[1] === SOI ? 'JPEG image' : hasAscii(trailer, 4, 'ftyp') ? 'MP4 video' : 'data';
      this.remove('trailer', 'trailer', end, n - end, label);
    }
    const output = new ByteSink();
    output.push(SOI_BYTES);
    if (this.jfif) output.push(this.jfif);
    const orientation = this.orientation;
    if (options.keepOrientation && orientation !== undefined && orientation !== 1) {
      const content = new Uint8Array(EXIF_ID.length + ORIENTATION_TIFF_SIZE);
      content.set(asciiBytes(EXIF_ID));
      content.set(writeOrientationTiff(orientation), EXIF_ID.length);
      output.push(segment(APP1, content));
      this.kept.push({ kind: 'orientation', container: 'APP1', offset: this.exifOffset, length: content.length + 4, label: `Orientation ${orientation}` });
    }
    if (this.isWholeIccProfile()) {
      for (const chunk of this.iccChunks) output.push(chunk);
      this.kept.push(...this.iccItems);
    } else {
      for (const item of this.iccItems) this.removed.push({ ...item, label: `${item.label}, not a whole profile` });
    }
    if (this.adobe) output.push(this.adobe);
    output.pushAll(this.body);
    output.push(EOI_BYTES);
    const plan: Plan = { output, removed: this.removed, kept: this.kept, entropySizes: this.entropySizes };
    if (orientation !== undefined) plan.orientation = orientation;
    return plan;
  }
}

export const jpeg: FormatHandler = {
  format: 'jpeg',
  plan(input: Uint8Array, options: ResolvedOptions, mode: WalkMode, first?: Plan): Plan {
    return new JpegWalker(input, options, mode === 'verify' ? (first?.entropySizes ?? []) : undefined).walk();
  },
};
