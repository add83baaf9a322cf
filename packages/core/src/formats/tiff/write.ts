/**
 * Writes the sanitized TIFF: a fresh header, then for each kept page its IFD
 * (entries in ascending tag order, TIFF 6.0 section 2), its out-of-line
 * values and its strips or tiles, in that order. Values and strips are views
 * into the input; only the header, the IFD tables and the rewritten
 * offset/byte-count arrays are new bytes. Everything starts on a word
 * boundary (section 2), padded with zeros, so the layout depends only on
 * what is kept: writing an output again gives the same bytes.
 */
import { ByteSink } from '../../bytes/write.js';
import { type Fail, type Layout, MAGIC_BIG, MAGIC_CLASSIC, TYPE_LONG, TYPE_LONG8 } from './structure.js';

/** A kept entry whose value is copied as it is. */
export interface KeptValue {
  tag: number;
  type: number;
  count: number;
  /** The value, exactly `count` × the type's size bytes (a view into the input). */
  bytes: Uint8Array;
}

/** One kept image: its values and its strips or tiles. */
export interface Page {
  values: KeptValue[];
  /** StripOffsets/StripByteCounts or TileOffsets/TileByteCounts: written afresh. */
  offsetsTag: number;
  countsTag: number;
  /** The strips or tiles, in order, as views into the input (or copies with metadata bytes zeroed). */
  segments: Uint8Array[];
  /** JPEG-compressed (7): each segment is a JPEG stream. */
  jpeg: boolean;
}

/** Classic TIFF offsets are 32-bit: an output this large cannot be written. */
const MAX_CLASSIC_SIZE = 0xffffffff;
const PADDING = /* @__PURE__ */ new Uint8Array(8);
const LOW_WORD = 0x100000000;

/** Writes integers in the file's byte order. */
class Writer {
  constructor(
    readonly bytes: Uint8Array,
    private readonly little: boolean,
  ) {}

  u16(at: number, value: number): void {
    const [a, b] = [value & 0xff, (value >>> 8) & 0xff];
    this.bytes[at] = this.little ? a : b;
    this.bytes[at + 1] = this.little ? b : a;
  }

  u32(at: number, value: number): void {
    for (let i = 0; i < 4; i++) this.bytes[this.little ? at + i : at + 3 - i] = (value >>> (8 * i)) & 0xff;
  }

  u64(at: number, value: number): void {
    const low = value % LOW_WORD;
    const high = Math.floor(value / LOW_WORD);
    this.u32(this.little ? at : at + 4, low);
    this.u32(this.little ? at + 4 : at, high);
  }
}

/** An entry about to be written: its value bytes, or where they will lie. */
interface Planned {
  tag: number;
  type: number;
  count: number;
  bytes: Uint8Array;
  /** Where an out-of-line value goes; -1 when it sits in the entry. */
  at: number;
}

const padded = (size: number) => size + (size & 1);

export function writeTiff(layout: Layout, pages: Page[], fail: Fail): ByteSink {
  const { big, little, headerSize, countSize, entrySize, inlineSize, offsetSize } = layout;
  const output = new ByteSink();
  const header = new Writer(new Uint8Array(headerSize), little);
  header.bytes[0] = header.bytes[1] = little ? 0x49 : 0x4d; // II or MM
  header.u16(2, big ? MAGIC_BIG : MAGIC_CLASSIC);
  if (big) header.u16(4, 8); // bytesize of offsets, then 2 reserved zero bytes
  output.push(header.bytes);

  const pointerType = big ? TYPE_LONG8 : TYPE_LONG;
  const pointerSize = big ? 8 : 4;
  let pos = headerSize;
  let previousNext: { writer: Writer; at: number } = { writer: header, at: big ? 8 : 4 };
  const setPointer = (writer: Writer, at: number, value: number) => (big ? writer.u64(at, value) : writer.u32(at, value));

  for (const page of pages) {
    const count = page.segments.length;
    const offsets = new Writer(new Uint8Array(count * pointerSize), little);
    const counts = new Writer(new Uint8Array(count * pointerSize), little);
    const entries: Planned[] = [
      ...page.values.map((v) => ({ ...v, at: -1 })),
      { tag: page.offsetsTag, type: pointerType, count, bytes: offsets.bytes, at: -1 },
      { tag: page.countsTag, type: pointerType, count, bytes: counts.bytes, at: -1 },
    ].sort((a, b) => a.tag - b.tag);

    const ifdAt = pos;
    setPointer(previousNext.writer, previousNext.at, ifdAt);
    const table = new Writer(new Uint8Array(countSize + entries.length * entrySize + offsetSize), little);
    pos += table.bytes.length; // always even
    for (const entry of entries) {
      if (entry.bytes.length <= inlineSize) continue;
      entry.at = pos;
      pos += padded(entry.bytes.length);
    }
    page.segments.forEach((segment, i) => {
      setPointer(offsets, i * pointerSize, pos);
      setPointer(counts, i * pointerSize, segment.length);
      pos += padded(segment.length);
    });
    if (!big && pos > MAX_CLASSIC_SIZE) fail('LIMIT_EXCEEDED', 'The sanitized TIFF would exceed 4 GiB (classic TIFF offsets are 32-bit)', 0);

    if (big) table.u64(0, entries.length);
    else table.u16(0, entries.length);
    entries.forEach((entry, i) => {
      const at = countSize + i * entrySize;
      table.u16(at, entry.tag);
      table.u16(at + 2, entry.type);
      setPointer(table, at + 4, entry.count);
      const field = at + 4 + offsetSize;
      if (entry.at < 0) table.bytes.set(entry.bytes, field); // left-justified, the rest stays zero
      else setPointer(table, field, entry.at);
    });
    previousNext = { writer: table, at: table.bytes.length - offsetSize }; // 0 unless another page follows

    output.push(table.bytes);
    for (const entry of entries) {
      if (entry.at < 0) continue;
      output.push(entry.bytes);
      output.push(PADDING.subarray(0, entry.bytes.length & 1));
    }
    for (const segment of page.segments) {
      output.push(segment);
      output.push(PADDING.subarray(0, segment.length & 1));
    }
  }
  return output;
}
