/** Small byte builders for hand-made test inputs. Real pixels come from jpeg-js and pngjs. */
import { deflateSync } from 'node:zlib';
import jpegJs from 'jpeg-js';
import { PNG } from 'pngjs';

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((sum, a) => sum + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

export const ascii = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));

/** `FF <marker> <length> <content>` */
export function jpegSegment(marker: number, content: Uint8Array | string): Uint8Array {
  const body = typeof content === 'string' ? ascii(content) : content;
  return concat([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff], body);
}

/** A real baseline JPEG from jpeg-js: SOI APP0(JFIF) DQT SOF0 DHT SOS ... EOI. */
export function baseJpeg(width = 16, height = 8): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[i * 4] = (i * 37) & 0xff;
    data[i * 4 + 1] = (i * 11) & 0xff;
    data[i * 4 + 2] = (i * 5) & 0xff;
    data[i * 4 + 3] = 0xff;
  }
  return new Uint8Array(jpegJs.encode({ data, width, height }, 90).data);
}

/** Splits a jpeg-js JPEG into SOI, its JFIF APP0, and the rest (DQT ... EOI). */
export function splitJpeg(jpeg: Uint8Array): { jfif: Uint8Array; rest: Uint8Array } {
  const length = (jpeg[4] << 8) | jpeg[5];
  return { jfif: jpeg.subarray(2, 4 + length), rest: jpeg.subarray(4 + length) };
}

/** A JPEG with the given segments between SOI and the image's own segments. */
export function jpegWith(...segments: Uint8Array[]): Uint8Array {
  const { jfif, rest } = splitJpeg(baseJpeg());
  return concat([0xff, 0xd8], jfif, ...segments, rest);
}

/** EXIF TIFF block (big-endian) holding IFD0 entries of SHORT/ASCII type. */
export function tiffWith(entries: { tag: number; short?: number; ascii?: string }[]): Uint8Array {
  const count = entries.length;
  const ifdSize = 2 + count * 12 + 4;
  const extra: number[] = [];
  const ifd: number[] = [count >> 8, count & 0xff];
  for (const entry of entries) {
    ifd.push(entry.tag >> 8, entry.tag & 0xff);
    if (entry.short !== undefined) {
      ifd.push(0, 3, 0, 0, 0, 1, entry.short >> 8, entry.short & 0xff, 0, 0);
    } else {
      const text = [...Buffer.from(`${entry.ascii}\0`, 'latin1')];
      const offset = 8 + ifdSize + extra.length;
      ifd.push(0, 2, 0, 0, 0, text.length, offset >> 24, (offset >> 16) & 0xff, (offset >> 8) & 0xff, offset & 0xff);
      extra.push(...text);
    }
  }
  ifd.push(0, 0, 0, 0);
  return Uint8Array.from([0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, ...ifd, ...extra]);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function referenceCrc(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A PNG chunk with a correct CRC (computed with a plain reference implementation). */
export function pngChunk(type: string, data: Uint8Array | string = new Uint8Array(0)): Uint8Array {
  const body = typeof data === 'string' ? ascii(data) : data;
  const typeAndData = concat(ascii(type), body);
  const crc = referenceCrc(typeAndData);
  const n = body.length;
  return concat([n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff], typeAndData, [crc >>> 24, (crc >> 16) & 0xff, (crc >> 8) & 0xff, crc & 0xff]);
}

/** A real RGBA PNG from pngjs. */
export function basePng(width = 8, height = 4): Uint8Array {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height * 4; i++) png.data[i] = (i * 29) & 0xff;
  return new Uint8Array(PNG.sync.write(png));
}

/** The chunks of a PNG, as slices (each whole chunk with framing). */
export function pngChunks(png: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 8;
  while (at < png.length) {
    const n = ((png[at] << 24) | (png[at + 1] << 16) | (png[at + 2] << 8) | png[at + 3]) >>> 0;
    chunks.push(png.subarray(at, at + n + 12));
    at += n + 12;
  }
  return chunks;
}

/** A PNG with extra chunks inserted after IHDR (and optional trailing bytes). */
export function pngWith(extra: Uint8Array[], after: Uint8Array[] = []): Uint8Array {
  const [ihdr, ...rest] = pngChunks(basePng());
  const iend = rest.pop()!;
  return concat(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr, ...extra, ...rest, ...after, iend);
}

export const zlib = (data: string | Uint8Array) => new Uint8Array(deflateSync(typeof data === 'string' ? Buffer.from(data, 'utf8') : data));

const le32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
export function riffChunk(type: string, data: Uint8Array | string): Uint8Array {
  const body = typeof data === 'string' ? ascii(data) : data;
  return concat(ascii(type), le32(body.length), body, body.length & 1 ? [0] : []);
}
export function webpFile(...chunks: Uint8Array[]): Uint8Array {
  const body = concat(ascii('WEBP'), ...chunks);
  return concat(ascii('RIFF'), le32(body.length), body);
}
export const vp8x = (flags: number) => riffChunk('VP8X', Uint8Array.from([flags, 0, 0, 0, 15, 0, 0, 7, 0, 0]));
export const VP8L = riffChunk('VP8L', Uint8Array.from([0x2f, 0x0f, 0xc0, 0x01, 0x00, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00]));

// A real 2x1 GIF89a: header, screen descriptor with a 2-colour table, an image with LZW data.
export const GIF_HEAD = Uint8Array.from([...ascii('GIF89a'), 2, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255]);
export const GIF_IMAGE = Uint8Array.from([0x2c, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x0a, 0x00]);
export const subBlocks = (text: string) => {
  const bytes = ascii(text);
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 255) out.push(Math.min(255, bytes.length - i), ...bytes.subarray(i, i + 255));
  return Uint8Array.from([...out, 0]);
};
export const appExtension = (id: string, data: string) => concat([0x21, 0xff, 11], ascii(id), subBlocks(data));


/** A minimal whole ICC profile (ICC.1 7.2): a 128-byte v2 header whose size field counts everything, 'acsp', an empty tag table, then `extra` (latin1) as profile bytes. */
export function iccProfileWith(extra = ''): Uint8Array {
  const icc = Buffer.alloc(132 + extra.length);
  icc.writeUInt32BE(icc.length, 0);
  icc.writeUInt32BE(0x02400000, 8); // version 2.4
  icc.write('mntrRGB XYZ ', 12, 'latin1');
  icc.write('acsp', 36, 'latin1');
  icc.write(extra, 132, 'latin1');
  return new Uint8Array(icc);
}
