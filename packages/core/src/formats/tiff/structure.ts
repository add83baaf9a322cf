/**
 * TIFF framing (TIFF 6.0 section 2, "TIFF Structure"; BigTIFF as libtiff
 * defines it): the header, image file directories (IFDs) and their entries.
 *
 * Positions: an IFD's `offset` is where its entry count starts and `end` one
 * past its next-IFD offset. An entry's `at` is where its tag field starts;
 * its value lies at `start` (inside the entry when it fits there) and is
 * `size` bytes long.
 */
import { u16be, u16le, u32be, u32le, u64be, u64le } from '../../bytes/read.js';
import type { Fail } from '../findings.js';

/** How the TIFF walker refuses: a `SanitizeError` with format `tiff`. */
export type { Fail };

const BYTE_ORDER_LITTLE = 0x4949; // "II"
const BYTE_ORDER_BIG = 0x4d4d; // "MM"
export const MAGIC_CLASSIC = 42; // section 2: "the number 42"
export const MAGIC_BIG = 43; // BigTIFF
const BIG_OFFSET_BYTESIZE = 8; // BigTIFF header: "bytesize of offsets", always 8
/** Entries one IFD may hold: the classic 16-bit count's maximum, for BigTIFF too. */
export const MAX_IFD_ENTRIES = 0xffff;
/** Largest integer a 64-bit field may hold for us to add it to offsets exactly. */

/** Field types (section 2, "Types"; BigTIFF adds 16-18) and their sizes in bytes. */
export const TYPE_BYTE = 1;
export const TYPE_ASCII = 2;
export const TYPE_SHORT = 3;
export const TYPE_LONG = 4;
export const TYPE_RATIONAL = 5;
export const TYPE_SBYTE = 6;
export const TYPE_UNDEFINED = 7;
export const TYPE_SSHORT = 8;
export const TYPE_SLONG = 9;
export const TYPE_SRATIONAL = 10;
export const TYPE_FLOAT = 11;
export const TYPE_DOUBLE = 12;
export const TYPE_IFD = 13;
export const TYPE_LONG8 = 16;
export const TYPE_IFD8 = 18;
const TYPE_SIZES: Readonly<Record<number, number>> = {
  1: 1, // BYTE
  2: 1, // ASCII
  3: 2, // SHORT
  4: 4, // LONG
  5: 8, // RATIONAL
  6: 1, // SBYTE
  7: 1, // UNDEFINED
  8: 2, // SSHORT
  9: 4, // SLONG
  10: 8, // SRATIONAL
  11: 4, // FLOAT
  12: 8, // DOUBLE
  13: 4, // IFD (TIFF Technical Note 1)
  16: 8, // LONG8 (BigTIFF)
  17: 8, // SLONG8 (BigTIFF)
  18: 8, // IFD8 (BigTIFF)
};

/** The sizes that differ between classic TIFF and BigTIFF. */
export interface Layout {
  little: boolean;
  big: boolean;
  /** Header: byte order, magic, (BigTIFF: bytesize, reserved,) first IFD offset. */
  headerSize: number;
  /** The IFD's entry count: 2 bytes (classic) or 8 (BigTIFF). */
  countSize: number;
  /** One entry: tag (2), type (2), count (4|8), value or offset (4|8). */
  entrySize: number;
  /** Values up to this size sit in the entry itself. */
  inlineSize: number;
  /** Offsets and counts: 4 bytes (classic) or 8 (BigTIFF). */
  offsetSize: number;
}

const CLASSIC = { big: false, headerSize: 8, countSize: 2, entrySize: 12, inlineSize: 4, offsetSize: 4 };
const BIG = { big: true, headerSize: 16, countSize: 8, entrySize: 20, inlineSize: 8, offsetSize: 8 };

/** Bounds-unchecked readers in the file's byte order; callers check `at + size <= length` first. */
export class Reader {
  constructor(
    readonly input: Uint8Array,
    readonly layout: Layout,
  ) {}

  u16(at: number): number {
    return this.layout.little ? u16le(this.input, at) : u16be(this.input, at);
  }

  u32(at: number): number {
    return this.layout.little ? u32le(this.input, at) : u32be(this.input, at);
  }

  /** A 64-bit value, or `Infinity` when it exceeds 2^53 (it lies past any input). */
  u64(at: number): number {
    return this.layout.little ? u64le(this.input, at) : u64be(this.input, at);
  }

  /** An offset or count field: 4 bytes (classic) or 8 (BigTIFF). */
  offset(at: number): number {
    return this.layout.big ? this.u64(at) : this.u32(at);
  }

  /** Value `index` of an unsigned integer entry (BYTE, SHORT, LONG, LONG8). */
  uint(entry: Entry, index: number): number {
    const at = entry.start + index * (TYPE_SIZES[entry.type] ?? 0);
    if (entry.type === TYPE_BYTE) return this.input[at];
    if (entry.type === TYPE_SHORT) return this.u16(at);
    if (entry.type === TYPE_LONG) return this.u32(at);
    return this.u64(at);
  }
}

/** Reads the header: byte order and magic decide the layout. Returns the layout and the first IFD's offset. */
export function readHeader(input: Uint8Array, fail: Fail): { reader: Reader; first: number } {
  if (input.length < CLASSIC.headerSize) fail('TRUNCATED', 'The TIFF ends inside its header', 0);
  const order = u16be(input, 0);
  if (order !== BYTE_ORDER_LITTLE && order !== BYTE_ORDER_BIG) fail('UNSUPPORTED_FORMAT', 'Not a TIFF: bad byte order', 0);
  const little = order === BYTE_ORDER_LITTLE;
  const probe = new Reader(input, { little, ...CLASSIC });
  const magic = probe.u16(2);
  if (magic === MAGIC_CLASSIC) return { reader: probe, first: probe.u32(4) };
  if (magic !== MAGIC_BIG) fail('UNSUPPORTED_FORMAT', `Not a TIFF: magic number ${magic}`, 2);
  if (input.length < BIG.headerSize) fail('TRUNCATED', 'The BigTIFF ends inside its header', 0);
  const reader = new Reader(input, { little, ...BIG });
  if (reader.u16(4) !== BIG_OFFSET_BYTESIZE || reader.u16(6) !== 0) fail('MALFORMED', 'BigTIFF header: offset size is not 8', 4);
  return { reader, first: reader.u64(8) };
}

/** One IFD entry. */
export interface Entry {
  tag: number;
  type: number;
  count: number;
  /** Where the entry's tag field starts. */
  at: number;
  /** Where the value starts: inside the entry, or the offset it holds. */
  start: number;
  /** `count` × the type's size; `undefined` for a type this reader does not know. May be `Infinity`. */
  size: number | undefined;
  inline: boolean;
}

export interface Ifd {
  offset: number;
  end: number;
  entries: Entry[];
  /** The next IFD's offset; 0 ends the chain. */
  next: number;
}

/** The IFD at `offset`: its table must lie inside the input. Entry values are not checked here. */
export function readIfd(reader: Reader, offset: number, fail: Fail): Ifd {
  const { input, layout } = reader;
  const n = input.length;
  if (offset < layout.headerSize) fail('MALFORMED', `IFD offset ${offset} points into the header`, 0);
  if (offset + layout.countSize > n) fail('TRUNCATED', 'An IFD lies past the end of the input', Math.min(offset, n));
  const count = layout.big ? reader.u64(offset) : reader.u16(offset);
  if (count > MAX_IFD_ENTRIES) fail('LIMIT_EXCEEDED', `An IFD declares more than ${MAX_IFD_ENTRIES} entries`, offset);
  const first = offset + layout.countSize;
  const end = first + count * layout.entrySize + layout.offsetSize;
  if (end > n) fail('TRUNCATED', 'An IFD runs past the end of the input', offset);
  const entries: Entry[] = [];
  for (let at = first; at < first + count * layout.entrySize; at += layout.entrySize) {
    const type = reader.u16(at + 2);
    const entryCount = reader.offset(at + 4);
    const field = at + 4 + layout.offsetSize;
    const typeSize = TYPE_SIZES[type];
    const size = typeSize === undefined ? undefined : entryCount * typeSize;
    const inline = size !== undefined && size <= layout.inlineSize;
    entries.push({ tag: reader.u16(at), type, count: entryCount, at, start: inline ? field : reader.offset(field), size, inline });
  }
  return { offset, end, entries, next: reader.offset(end - layout.offsetSize) };
}

export function typeSize(type: number): number | undefined {
  return TYPE_SIZES[type];
}
