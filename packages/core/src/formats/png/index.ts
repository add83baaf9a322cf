/**
 * PNG (ISO/IEC 15948, W3C PNG 3rd edition) and APNG container walker,
 * incremental: IDAT and fdAT data are copied (and their CRC checked) as they
 * arrive, removed chunks are skipped as they arrive; only a kept ancillary
 * chunk (small, fixed-size; iCCP and eXIf up to `MAX_HELD_CHUNK`) is held
 * whole, and the kept chunks before the first IDAT until it comes.
 *
 * Positions: a chunk's `offset` is where its length field starts, its
 * `length` is the whole chunk (length + type + data + CRC = data size + 12).
 *
 * What stays is data in allowlist.ts; a fresh orientation-only eXIf is
 * written after IHDR when asked and not 1, from an eXIf before the first IDAT
 * (the place PNG 3rd edition 11.3.4.6 gives it). Everything else is removed,
 * including every byte after IEND. An unknown critical chunk is refused.
 */
import { crc32, CRC32_START, crc32Final, crc32Update } from '../../bytes/crc32.js';
import { fourCC, hasAscii, u32be } from '../../bytes/read.js';
import { asciiBytes, type Out, writeU32be } from '../../bytes/write.js';
import { isOrientationOnlyTiff, readOrientation, writeOrientationTiff } from '../../metadata/exif.js';
import { keepCompressedIccProfile } from '../../metadata/icc.js';
import type { ResolvedOptions } from '../../options.js';
import { LinearWalker, streamingHandler } from '../feed.js';
import type { WalkMode } from '../handler.js';
import { CRITICAL, FIXED_SIZE, ICCP_NAME, KEPT_ANCILLARY, ONCE, REMOVED_KIND, SIZE_BY_COLOUR_TYPE } from './allowlist.js';

export const PNG_SIGNATURE = /* @__PURE__ */ new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHUNK_FRAMING = 12; // length (4) + type (4) + CRC (4)
const CHUNK_HEADER = 8; // length + type
const CRC_SIZE = 4;
const MAX_CHUNK_DATA = 0x7fffffff; // 5.3: "A four-byte unsigned integer ... limited to 2^31 - 1"
const IHDR_DATA_SIZE = 13;
const IHDR_COLOUR_TYPE = 9; // 11.2.1: width (4), height (4), bit depth (1), colour type, compression, filter, interlace
const IHDR_COMPRESSION = 10;
const IHDR_FILTER = 11;
const IHDR_INTERLACE = 12;
const COLOUR_TYPES = new Set([0, 2, 3, 4, 6]); // 11.2.1 Table 11.1: greyscale, truecolour, indexed, greyscale+alpha, truecolour+alpha
const COLOUR_INDEXED = 3;
const PALETTE_ENTRY_SIZE = 3; // 11.2.2 PLTE: red, green, blue
const MAX_PALETTE_ENTRIES = 256;
const SEQUENCE_SIZE = 4; // APNG fcTL/fdAT: the sequence number opens the chunk
const FCTL_DISPOSE_OP = 24; // APNG fcTL: dispose_op (0..2), then blend_op (0..1)
const FCTL_BLEND_OP = 25;
/** What a removed chunk's label is read from: a text keyword (1-79 bytes and NUL), or `XML:com.adobe.xmp\0`. */
const LABEL_BYTES = 80;
const IDAT_CODE = 0x49444154; // I D A T

/** The largest iCCP or eXIf held to be read whole (real ones are under 1 MiB). */
export const MAX_HELD_CHUNK = 16 * 1024 * 1024;
/** The kept chunks held until the first IDAT (palette, colour chunks, iCCP). */
export const MAX_HEADER_BYTES = 20 * 1024 * 1024;

const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isCritical = (type: string) => type.charCodeAt(0) < 0x61; // bit 5 of the first byte clear

/** `length type data crc` for a chunk we write. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(CHUNK_FRAMING + data.length);
  writeU32be(out, 0, data.length);
  out.set(asciiBytes(type), 4);
  out.set(data, 8);
  writeU32be(out, 8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** The keyword of a tEXt/zTXt/iTXt chunk (1-79 Latin-1 characters before a NUL), e.g. `Author`: the field's name, never its value. */
function textKeyword(input: Uint8Array, start: number, end: number): string | undefined {
  let keyword = '';
  for (let i = start; i < end && i < start + 79; i++) {
    const c = input[i];
    if (c === 0) return keyword.length > 0 ? keyword : undefined;
    keyword += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : '?';
  }
  return undefined;
}

/** True when a kept ancillary chunk's data size is exactly what its fields need. */
function hasExactSize(type: string, size: number, colourType: number, paletteEntries: number): boolean {
  if (type in FIXED_SIZE) return size === FIXED_SIZE[type];
  if (type === 'tRNS' && colourType === COLOUR_INDEXED) return size >= 1 && size <= paletteEntries;
  if (type in SIZE_BY_COLOUR_TYPE) return size === SIZE_BY_COLOUR_TYPE[type][colourType];
  return true; // iCCP: keyword, compression method and a zlib stream of any size
}

const enum State {
  Signature,
  Header,
  /** Inside a streamed chunk: `remaining` bytes of data (and, for a removed one, its CRC) to pass. */
  Data,
  /** After a streamed kept chunk's data: its CRC. */
  Crc,
  Trailer,
}

/** The chunk being read. */
interface Current {
  type: string;
  offset: number;
  size: number;
  keep: boolean;
}

class PngWalker extends LinearWalker {
  private state = State.Signature;
  private index = 0;
  private exifOffset = 0;
  private exifWasCanonical = false;
  private sawIdat = false;
  private colourType = 0;
  private paletteEntries = 0;
  /** APNG: fcTL and fdAT are numbered 0, 1, 2, ... without gaps; the numbers carry nothing else. */
  private nextSequence = 0;
  private readonly seen = new Set<string>();
  // Until the first IDAT: the signature and IHDR, and the kept chunks after them.
  private head: Uint8Array[] = [];
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private current: Current = { type: '', offset: 0, size: 0, keep: false };
  private remaining = 0;
  private crc = CRC32_START;
  private trailerStart = 0;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly mode: WalkMode,
    private readonly out: Out,
  ) {
    super('png', PNG_SIGNATURE.length);
  }

  protected step(w: Uint8Array, i: number, end: number, final: boolean): number {
    switch (this.state) {
      case State.Header:
        return this.header(w, i, end, final);
      case State.Data:
        return this.data(w, i, end, final);
      case State.Crc:
        return this.checkCrc(w, i, end, final);
      case State.Signature:
        return this.signature(w, i, end, final);
      case State.Trailer:
        return this.trailer(w, i, end, final);
    }
  }

  private signature(w: Uint8Array, i: number, end: number, final: boolean): number {
    if (end - i < PNG_SIGNATURE.length && !final) {
      this.wait(PNG_SIGNATURE.length);
      return i;
    }
    for (let k = 0; k < PNG_SIGNATURE.length; k++) {
      if (i + k >= end || w[i + k] !== PNG_SIGNATURE[k]) this.f.fail('UNSUPPORTED_FORMAT', 'Not a PNG: bad signature', 0);
    }
    this.head.push(this.piece(w, i, i + PNG_SIGNATURE.length));
    this.state = State.Header;
    return i + PNG_SIGNATURE.length;
  }

  private truncated(type: string, pos: number): never {
    return this.f.fail('TRUNCATED', `${type} chunk runs past the end of the input`, pos);
  }

  /** A chunk's length and type: everything decided from them, then the chunk held whole or streamed. */
  private header(w: Uint8Array, i: number, end: number, final: boolean): number {
    const { f } = this;
    const pos = i + this.delta;
    if (end - i < CHUNK_FRAMING) {
      if (final) f.fail('TRUNCATED', 'The PNG ends before its IEND chunk', pos);
      this.wait(CHUNK_FRAMING);
      return i;
    }
    if (this.sawIdat && u32be(w, i + 4) === IDAT_CODE) {
      const q = this.idatRun(w, i, end);
      if (q > i) return q;
    }
    const size = u32be(w, i);
    if (size > MAX_CHUNK_DATA) f.fail('MALFORMED', `Chunk length ${size} exceeds 2^31-1`, pos);
    for (let k = 4; k < 8; k++) {
      if (!isLetter(w[i + k])) f.fail('MALFORMED', 'Chunk type is not four ASCII letters', pos);
    }
    const type = fourCC(w, i + 4);
    const allowed = CRITICAL.has(type) || KEPT_ANCILLARY.has(type) || (type === 'iCCP' && this.options.keepColorProfile);
    const invalid = allowed && !CRITICAL.has(type) && !hasExactSize(type, size, this.colourType, this.paletteEntries);
    const repeated = allowed && ONCE.has(type) && this.seen.has(type);
    const keep = allowed && !invalid && !repeated;
    const streamed = keep && (type === 'IDAT' || type === 'fdAT');
    const held = !streamed && (keep || type === 'eXIf');
    if (held && size > MAX_HELD_CHUNK) f.fail('LIMIT_EXCEEDED', `${type} chunk of ${size} bytes is larger than MAX_HELD_CHUNK (${MAX_HELD_CHUNK} bytes)`, pos);
    // Held whole (rewritten, read, or small), streamed with its first bytes (its sequence number), or removed after its label.
    const need = streamed ? CHUNK_FRAMING : held ? CHUNK_FRAMING + size : CHUNK_HEADER + Math.min(size, LABEL_BYTES);
    if (end - i < need) {
      if (final) this.truncated(type, pos);
      this.wait(need);
      return i;
    }

    const index = this.index++;
    if (isCritical(type) && !CRITICAL.has(type)) f.fail('UNSUPPORTED_FORMAT', `Unknown critical chunk ${type}`, pos);
    if (index === 0 && (type !== 'IHDR' || size !== IHDR_DATA_SIZE)) f.fail('MALFORMED', 'The first chunk is not a valid IHDR', pos);
    if (index > 0 && type === 'IHDR') f.fail('MALFORMED', 'A second IHDR chunk', pos);
    if (type === 'PLTE') {
      if (this.seen.has(type)) f.fail('MALFORMED', 'A second PLTE chunk', pos);
      if (size === 0 || size % PALETTE_ENTRY_SIZE !== 0 || size > MAX_PALETTE_ENTRIES * PALETTE_ENTRY_SIZE) f.fail('MALFORMED', `PLTE chunk of ${size} bytes`, pos);
      this.paletteEntries = size / PALETTE_ENTRY_SIZE;
    }
    if (type === 'IEND' && size !== 0) f.fail('MALFORMED', `IEND chunk holds ${size} bytes`, pos);
    if ((type === 'fcTL' || type === 'acTL') && size !== FIXED_SIZE[type]) f.fail('MALFORMED', `${type} chunk of ${size} bytes`, pos);
    if (type === 'fdAT' && size <= SEQUENCE_SIZE) f.fail('MALFORMED', `fdAT chunk of ${size} bytes`, pos);
    if (type === 'fdAT') this.checkSequence(w, i + CHUNK_HEADER, type, pos);
    if (keep) this.seen.add(type);
    this.current = { type, offset: pos, size, keep };

    if (streamed) {
      if (type === 'IDAT' && !this.sawIdat) {
        this.sawIdat = true;
        this.writeHead();
      }
      this.crc = crc32Update(CRC32_START, w, i + 4, i + CHUNK_HEADER);
      this.emit(w, i, i + CHUNK_HEADER, pos);
      this.remaining = size;
      this.state = State.Data;
      return i + CHUNK_HEADER;
    }
    if (held) return this.whole(w, i, keep, invalid, repeated);
    const labelEnd = i + need;
    if (invalid || repeated) {
      f.remove('unknown', type, pos, size + CHUNK_FRAMING, invalid ? 'wrong size for its fields' : 'a second copy');
    } else {
      const start = i + CHUNK_HEADER;
      const isXmp = type === 'iTXt' && hasAscii(w, start, 'XML:com.adobe.xmp\0');
      const label = isXmp ? 'XMP' : REMOVED_KIND[type] === 'text' ? textKeyword(w, start, labelEnd) : undefined;
      f.remove(isXmp ? 'xmp' : (REMOVED_KIND[type] ?? 'unknown'), type, pos, size + CHUNK_FRAMING, label || undefined);
    }
    this.remaining = size + CRC_SIZE;
    this.state = State.Data;
    return i + CHUNK_HEADER;
  }

  /**
   * IDAT chunks after the first, back to back and whole in the window, in one
   * loop: checked and copied without per-chunk state (a flood of empty IDAT
   * chunks costs what copying it does). Returns where the run ends.
   */
  private idatRun(w: Uint8Array, i: number, end: number): number {
    let q = i;
    while (q + CHUNK_FRAMING <= end && u32be(w, q + 4) === IDAT_CODE) {
      const size = u32be(w, q);
      const chunkEnd = q + CHUNK_FRAMING + size;
      if (size > MAX_CHUNK_DATA || chunkEnd > end) break;
      if (this.mode === 'sanitize' && crc32(w, q + 4, chunkEnd - CRC_SIZE) !== u32be(w, chunkEnd - CRC_SIZE)) {
        this.f.fail('CHECKSUM_MISMATCH', 'IDAT chunk CRC does not match its data', q + this.delta);
      }
      q = chunkEnd;
      this.index++;
    }
    this.out.copy(w, i, q);
    return q;
  }

  private checkSequence(w: Uint8Array, at: number, type: string, pos: number): void {
    const sequence = u32be(w, at);
    if (sequence !== this.nextSequence) this.f.fail('MALFORMED', `${type} sequence number ${sequence}, expected ${this.nextSequence}`, pos);
    this.nextSequence++;
  }

  /** A chunk held whole in `w[i, i + size + 12)`. */
  private whole(w: Uint8Array, i: number, keep: boolean, invalid: boolean, repeated: boolean): number {
    const { f, options } = this;
    const { type, offset: pos, size } = this.current;
    const start = i + CHUNK_HEADER;
    const end = start + size + CRC_SIZE;
    if (type === 'IHDR') {
      this.colourType = w[start + IHDR_COLOUR_TYPE];
      if (!COLOUR_TYPES.has(this.colourType) || w[start + IHDR_COMPRESSION] !== 0 || w[start + IHDR_FILTER] !== 0 || w[start + IHDR_INTERLACE] > 1) {
        f.fail('MALFORMED', 'IHDR holds an unknown colour type, compression, filter or interlace method', pos);
      }
    }
    if (type === 'fcTL') {
      this.checkSequence(w, start, type, pos);
      if (w[start + FCTL_DISPOSE_OP] > 2 || w[start + FCTL_BLEND_OP] > 1) f.fail('MALFORMED', 'fcTL holds an unknown dispose or blend operation', pos);
    }
    if (keep && this.mode === 'sanitize' && crc32(w, i + 4, start + size) !== u32be(w, start + size)) {
      f.fail('CHECKSUM_MISMATCH', `${type} chunk CRC does not match its data`, pos);
    }
    this.state = State.Header;
    if (type === 'IEND') {
      if (!this.sawIdat) f.fail('MALFORMED', 'IEND before any IDAT: the PNG has no image data', pos);
      this.emit(w, i, end, pos);
      this.trailerStart = end + this.delta;
      this.state = State.Trailer;
      return end;
    }
    if (type === 'eXIf' && this.orientation === undefined) {
      this.exifOffset = pos;
      // Some writers keep the JPEG-style `Exif\0\0` prefix that PNG does not have; accept both.
      const tiff = hasAscii(w, start, 'Exif\0\0') ? start + 6 : start;
      this.orientation = readOrientation(w, tiff, start + size);
      if (this.sawIdat) this.orientation = undefined; // too late to be written where readers look for it
      else this.exifWasCanonical = isOrientationOnlyTiff(w, start, start + size);
    }
    if (keep && type === 'iCCP') {
      const iccp = this.iccpWithNeutralName(w, i, start, size);
      if ('refused' in iccp) {
        f.remove('icc', type, pos, end - i, iccp.refused);
      } else {
        this.emitPiece(iccp.chunk, pos);
        f.keep('icc', type, pos, end - i);
      }
    } else if (keep) {
      if (type === 'IHDR') this.head.push(this.piece(w, i, end));
      else this.emit(w, i, end, pos);
      const kind = KEPT_ANCILLARY.get(type);
      if (kind !== undefined) f.keep(kind, type, pos, end - i);
    } else if (invalid || repeated) {
      f.remove('unknown', type, pos, end - i, invalid ? 'wrong size for its fields' : 'a second copy');
    } else if (!(type === 'eXIf' && pos === this.exifOffset && this.exifWasCanonical && options.keepOrientation)) {
      f.remove(REMOVED_KIND[type] ?? 'unknown', type, pos, end - i);
    }
    return end;
  }

  /**
   * 11.3.3.3 iCCP: profile name (1-79 bytes), NUL, compression method, zlib
   * stream. The stream must hold exactly one ICC profile (metadata/icc.ts),
   * which is kept without its text (re-deflated as stored blocks when it
   * changed) and the name replaced by `ICC profile`; `refused` (the chunk is
   * removed, with that reason) when the name or the profile is not valid.
   */
  private iccpWithNeutralName(w: Uint8Array, i: number, start: number, size: number): { chunk: Uint8Array } | { refused: string } {
    const end = start + size;
    let nul = start;
    while (nul < start + Math.min(size, 80) && w[nul] !== 0) nul++;
    if (nul === start + Math.min(size, 80) || nul === start || nul + 2 > end) return { refused: 'no valid profile name' };
    if (w[nul + 1] !== 0) return { refused: 'unknown compression method' };
    const profile = keepCompressedIccProfile(w, nul + 2, end, { verbatim: this.options.keepColorProfileVerbatim });
    if ('refused' in profile) return { refused: profile.refused };
    const named = hasAscii(w, start, `${ICCP_NAME}\0`);
    if (named && profile.bytes.length === end - (nul + 2) && profile.removed.length === 0) return { chunk: this.piece(w, i, end + CRC_SIZE) };
    if (!named) this.f.remove('text', 'iCCP', start + this.delta, nul + 1 - start, 'profile name');
    if (profile.removed.length > 0 && !(profile.removed.length === 1 && profile.removed[0] === 'compression')) {
      this.f.remove('text', 'iCCP', start + this.delta, size, `ICC profile: ${profile.removed.join(', ')}`);
    }
    const name = asciiBytes(`${ICCP_NAME}\0`);
    const data = new Uint8Array(name.length + 1 + profile.bytes.length);
    data.set(name);
    data.set(profile.bytes, name.length + 1); // compression method 0 (zlib) between them
    return { chunk: chunk('iCCP', data) };
  }

  /** Passes a streamed chunk's data: copied (and its CRC run) when kept, skipped when removed. */
  private data(w: Uint8Array, i: number, end: number, final: boolean): number {
    const n = Math.min(this.remaining, end - i);
    if (this.current.keep) {
      if (this.mode === 'sanitize') this.crc = crc32Update(this.crc, w, i, i + n);
      this.emit(w, i, i + n, this.current.offset);
    }
    this.remaining -= n;
    if (this.remaining > 0) {
      if (final) this.truncated(this.current.type, this.current.offset);
      this.wait(1);
      return end;
    }
    this.state = this.current.keep ? State.Crc : State.Header;
    return i + n;
  }

  private checkCrc(w: Uint8Array, i: number, end: number, final: boolean): number {
    if (end - i < CRC_SIZE) {
      if (final) this.truncated(this.current.type, this.current.offset);
      this.wait(CRC_SIZE);
      return i;
    }
    if (this.mode === 'sanitize' && crc32Final(this.crc) !== u32be(w, i)) {
      this.f.fail('CHECKSUM_MISMATCH', `${this.current.type} chunk CRC does not match its data`, this.current.offset);
    }
    this.emit(w, i, i + CRC_SIZE, this.current.offset);
    this.state = State.Header;
    return i + CRC_SIZE;
  }

  private trailer(_w: Uint8Array, _i: number, end: number, final: boolean): number {
    if (final) {
      const n = end + this.delta;
      if (n > this.trailerStart) this.f.remove('trailer', 'trailer', this.trailerStart, n - this.trailerStart, 'data after IEND');
    }
    this.wait(1);
    return end;
  }

  /** A kept chunk: held until the first IDAT, written at once after it. */
  private emit(w: Uint8Array, start: number, end: number, pos: number): void {
    if (this.sawIdat) this.out.copy(w, start, end);
    else this.hold(this.piece(w, start, end), pos);
  }

  private emitPiece(piece: Uint8Array, pos: number): void {
    if (this.sawIdat) this.out.write(piece);
    else this.hold(piece, pos);
  }

  private hold(piece: Uint8Array, pos: number): void {
    this.heldBytes += piece.length;
    if (this.heldBytes > MAX_HEADER_BYTES) this.f.fail('LIMIT_EXCEEDED', `The kept chunks before the first IDAT exceed MAX_HEADER_BYTES (${MAX_HEADER_BYTES} bytes)`, pos);
    this.held.push(piece);
  }

  /** At the first IDAT: signature, IHDR, the orientation eXIf (before PLTE and IDAT, where every reader looks), the chunks held. */
  private writeHead(): void {
    const { out, options, orientation } = this;
    for (const piece of this.head) out.write(piece);
    if (options.keepOrientation && orientation !== undefined && orientation !== 1) {
      out.write(chunk('eXIf', writeOrientationTiff(orientation)));
      this.f.keep('orientation', 'eXIf', this.exifOffset, 26 + CHUNK_FRAMING, `Orientation ${orientation}`);
    }
    for (const piece of this.held) out.write(piece);
    this.head = [];
    this.held = [];
  }
}

export const png = /* @__PURE__ */ streamingHandler('png', (options: ResolvedOptions, mode: WalkMode, out: Out) => new PngWalker(options, mode, out));
