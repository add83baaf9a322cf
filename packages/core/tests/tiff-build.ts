/** A minimal TIFF writer (TIFF 6.0, BigTIFF), test-side: hand-built TIFFs with planted secrets. */
import { ascii } from './build.js';

export const BYTE = 1;
export const ASCII = 2;
export const SHORT = 3;
export const LONG = 4;
export const RATIONAL = 5;
export const UNDEFINED = 7;
export const DOUBLE = 12;
export const LONG8 = 16;
const SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 12: 8, 16: 8 };

export interface EntrySpec {
  tag: number;
  type: number;
  /** Numbers (RATIONAL: numerator, denominator pairs), text (ASCII, NUL added) or raw bytes (BYTE, UNDEFINED). */
  value?: number[] | string | Uint8Array;
  /** A pointer tag (Exif, GPS): the IFD is written and its offset is the value (LONG). */
  ifd?: IfdSpec;
  /** Overrides the written count (to build broken files). */
  count?: number;
}

export interface IfdSpec {
  entries: EntrySpec[];
  /** Strip data: StripOffsets and StripByteCounts (LONG) are added. */
  strips?: Uint8Array[];
  /** Tile data: TileOffsets and TileByteCounts (LONG) are added. */
  tiles?: Uint8Array[];
  /** Extra offsets/byte counts appended to the strip arrays (e.g. pointing anywhere). */
  extraSegments?: [offset: number, size: number][];
}

export interface TiffSpec {
  little: boolean;
  big?: boolean;
  ifds: IfdSpec[];
  /** Bytes after everything. */
  trailer?: Uint8Array;
}

/** A growable byte buffer with patching, in the file's byte order. */
class Out {
  bytes: number[] = [];
  constructor(
    readonly little: boolean,
    readonly big: boolean,
  ) {}
  get at(): number {
    return this.bytes.length;
  }
  align(): void {
    if (this.bytes.length & 1) this.bytes.push(0);
  }
  raw(data: ArrayLike<number>): number {
    this.align();
    const at = this.at;
    for (let i = 0; i < data.length; i++) this.bytes.push(data[i]);
    return at;
  }
  int(value: number, size: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < size; i++) out.push(Number((BigInt(value) >> BigInt(8 * i)) & 0xffn));
    return this.little ? out : out.reverse();
  }
  patch(at: number, value: number, size: number): void {
    this.int(value, size).forEach((b, i) => (this.bytes[at + i] = b));
  }
  get offsetSize(): number {
    return this.big ? 8 : 4;
  }
}

function encode(out: Out, entry: EntrySpec): { type: number; count: number; data: number[] } {
  const { type, value = [] } = entry;
  if (typeof value === 'string') return { type, count: value.length + 1, data: [...ascii(`${value}\0`)] };
  if (value instanceof Uint8Array) return { type, count: value.length, data: [...value] };
  if (type === DOUBLE) {
    const data: number[] = [];
    for (const v of value) {
      const b = Buffer.alloc(8);
      if (out.little) b.writeDoubleLE(v);
      else b.writeDoubleBE(v);
      data.push(...b);
    }
    return { type, count: value.length, data };
  }
  const size = type === RATIONAL ? 4 : SIZES[type];
  return { type, count: type === RATIONAL ? value.length / 2 : value.length, data: value.flatMap((v) => out.int(v, size)) };
}

function writeIfd(out: Out, spec: IfdSpec): { offset: number; nextAt: number } {
  const entries: { tag: number; type: number; count: number; data: number[] }[] = [];
  const segments = (data: Uint8Array[] | undefined, offsetsTag: number, countsTag: number) => {
    if (data === undefined) return;
    const placed: [number, number][] = data.map((d) => [out.raw(d), d.length]);
    placed.push(...(spec.extraSegments ?? []));
    entries.push({ tag: offsetsTag, type: LONG, count: placed.length, data: placed.flatMap(([o]) => out.int(o, 4)) });
    entries.push({ tag: countsTag, type: LONG, count: placed.length, data: placed.flatMap(([, s]) => out.int(s, 4)) });
  };
  segments(spec.strips, 273, 279); // StripOffsets, StripByteCounts
  segments(spec.tiles, 324, 325); // TileOffsets, TileByteCounts
  for (const entry of spec.entries) {
    if (entry.ifd) {
      const child = writeIfd(out, entry.ifd);
      entries.push({ tag: entry.tag, type: LONG, count: 1, data: out.int(child.offset, 4) });
      continue;
    }
    const encoded = encode(out, entry);
    entries.push({ tag: entry.tag, ...encoded, count: entry.count ?? encoded.count });
  }
  entries.sort((a, b) => a.tag - b.tag);
  const inline = out.offsetSize;
  const fields = entries.map((e) => {
    if (e.data.length <= inline) return [...e.data, ...new Array(inline - e.data.length).fill(0)];
    return out.int(out.raw(e.data), inline);
  });
  out.align();
  const offset = out.at;
  out.raw(out.int(entries.length, out.big ? 8 : 2));
  entries.forEach((e, i) => out.raw([...out.int(e.tag, 2), ...out.int(e.type, 2), ...out.int(e.count, inline), ...fields[i]]));
  const nextAt = out.raw(out.int(0, inline));
  return { offset, nextAt };
}

export function buildTiff(spec: TiffSpec): Uint8Array {
  const out = new Out(spec.little, spec.big ?? false);
  const order = spec.little ? 0x49 : 0x4d;
  out.raw([order, order, ...out.int(spec.big ? 43 : 42, 2)]);
  if (spec.big) out.raw([...out.int(8, 2), 0, 0]);
  let pointerAt = out.raw(out.int(0, out.offsetSize));
  for (const ifd of spec.ifds) {
    const { offset, nextAt } = writeIfd(out, ifd);
    out.patch(pointerAt, offset, out.offsetSize);
    pointerAt = nextAt;
  }
  if (spec.trailer) out.raw(spec.trailer);
  return Uint8Array.from(out.bytes);
}

/** `width` × `height` RGB pixels, 8 bits per sample, a pattern that spells no text. */
export function rgbPixels(width: number, height: number, seed = 1): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + seed * 31) % 251 | 0x80;
  return data;
}

/** The entries that make an uncompressed RGB (or grey, `spp` 1) image of `width` × `height` in strips of `rows` rows. */
export function imageEntries(width: number, height: number, rows: number, spp = 3): EntrySpec[] {
  return [
    { tag: 256, type: SHORT, value: [width] },
    { tag: 257, type: SHORT, value: [height] },
    { tag: 258, type: SHORT, value: new Array(spp).fill(8) },
    { tag: 259, type: SHORT, value: [1] },
    { tag: 262, type: SHORT, value: [spp === 3 ? 2 : 1] },
    { tag: 277, type: SHORT, value: [spp] },
    { tag: 278, type: SHORT, value: [rows] },
    { tag: 282, type: RATIONAL, value: [72, 1] },
    { tag: 283, type: RATIONAL, value: [72, 1] },
    { tag: 284, type: SHORT, value: [1] },
    { tag: 296, type: SHORT, value: [2] },
  ];
}

/** Splits pixel rows into strips of `rows` rows. */
export function stripsOf(pixels: Uint8Array, rowBytes: number, rows: number): Uint8Array[] {
  const strips: Uint8Array[] = [];
  for (let at = 0; at < pixels.length; at += rowBytes * rows) strips.push(pixels.subarray(at, at + rowBytes * rows));
  return strips;
}

/** A minimal ICC profile: a 128-byte header (size, 'acsp') and an empty tag table. */
export function iccProfile(): Uint8Array {
  const icc = Buffer.alloc(132);
  icc.writeUInt32BE(132, 0);
  icc.write('appl', 4, 'latin1');
  icc.writeUInt32BE(0x02100000, 8);
  icc.write('mntrRGB XYZ ', 12, 'latin1');
  icc.write('acsp', 36, 'latin1');
  return new Uint8Array(icc);
}

export const SECRETS = [
  'SECRET-MAKE',
  'SECRET-ARTIST',
  'SECRET-DESCRIPTION',
  'SECRET-EXIF-USERCOMMENT',
  'SECRET-GPS-METHOD',
  'SECRET-XMP',
  'SECRET-IPTC',
  'SECRET-PRIVATE-TAG',
  'SECRET-GEOASCII',
  'SECRET-THUMBNAIL-STRIP',
  'SECRET-PAGE2-SOFTWARE',
];

/** A GeoTIFF tie point (33922): six doubles, a geolocation. */
export const TIE_POINT = [0, 0, 0, 2.2945, 48.8584, 0];

/** Two pages, a reduced-resolution thumbnail between them, and every kind of metadata TIFF carries. */
export function typicalTiff(little: boolean, big = false): Uint8Array {
  const page1 = rgbPixels(16, 8);
  const page2 = rgbPixels(8, 4, 2).subarray(0, 8 * 4);
  const xmp = ascii('<?xpacket begin=""?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>SECRET-XMP</rdf:RDF></x:xmpmeta>');
  const iptc = Uint8Array.from([0x1c, 0x02, 0x50, 0x00, 11, ...ascii('SECRET-IPTC')]);
  return buildTiff({
    little,
    big,
    ifds: [
      {
        entries: [
          ...imageEntries(16, 8, 4),
          { tag: 254, type: LONG, value: [0] },
          { tag: 270, type: ASCII, value: 'SECRET-DESCRIPTION' },
          { tag: 271, type: ASCII, value: 'SECRET-MAKE' },
          { tag: 274, type: SHORT, value: [6] },
          { tag: 315, type: ASCII, value: 'SECRET-ARTIST' },
          { tag: 700, type: BYTE, value: xmp },
          { tag: 33723, type: UNDEFINED, value: iptc },
          { tag: 33922, type: DOUBLE, value: TIE_POINT },
          { tag: 34737, type: ASCII, value: 'SECRET-GEOASCII' },
          { tag: 34675, type: UNDEFINED, value: iccProfile() },
          { tag: 65000, type: UNDEFINED, value: ascii('SECRET-PRIVATE-TAG') },
          {
            tag: 34665,
            type: LONG,
            ifd: { entries: [{ tag: 37510, type: UNDEFINED, value: ascii('ASCII\0\0\0SECRET-EXIF-USERCOMMENT') }, { tag: 36867, type: ASCII, value: '2024:01:01 12:00:00' }] },
          },
          {
            tag: 34853,
            type: LONG,
            ifd: {
              entries: [
                { tag: 1, type: ASCII, value: 'N' },
                { tag: 2, type: RATIONAL, value: [48, 1, 51, 1, 30, 1] },
                { tag: 27, type: UNDEFINED, value: ascii('ASCII\0\0\0SECRET-GPS-METHOD') },
              ],
            },
          },
        ],
        strips: stripsOf(page1, 16 * 3, 4),
      },
      {
        // A reduced-resolution preview: removed with its strip.
        entries: [...imageEntries(4, 1, 1), { tag: 254, type: LONG, value: [1] }],
        strips: [ascii('SECRET-THUMBNAIL-STRIP')],
      },
      {
        entries: [...imageEntries(8, 4, 2, 1), { tag: 254, type: LONG, value: [2] }, { tag: 297, type: SHORT, value: [1, 2] }, { tag: 305, type: ASCII, value: 'SECRET-PAGE2-SOFTWARE' }],
        strips: stripsOf(page2, 8, 2),
      },
    ],
  });
}
