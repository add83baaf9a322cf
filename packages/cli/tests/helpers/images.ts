import { createRequire } from 'node:module';
import { crc32 } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

// piexifjs ships no types; it works on binary strings.
const require = createRequire(import.meta.url);
const piexif = require('piexifjs') as {
  dump(exif: Record<string, Record<number, unknown>>): string;
  insert(exif: string, jpeg: string): string;
  ImageIFD: Record<string, number>;
  ExifIFD: Record<string, number>;
  GPSIFD: Record<string, number>;
};

/** What a made-up camera writes, so tests can look for every value after cleaning. */
export const SECRETS = {
  make: 'Canon',
  model: 'EOS 5D Mark IV',
  serial: 'SN-8812345',
  software: 'GIMP 2.10',
  artist: 'Jane Doe',
  copyright: '(c) Jane Doe',
  taken: '2020:01:01 10:00:00',
  comment: 'secret comment between segments',
  xmpCreator: 'Jane XMP',
  latitude: 52.520094,
  longitude: 13.4,
};

export interface JpegSpec {
  width?: number;
  height?: number;
  /** Varies the pixels so files differ. */
  seed?: number;
  /** Camera, date, author and GPS EXIF (default true). */
  exif?: boolean;
  orientation?: number;
  /** A COM segment with the secret comment; a string is appended to it (to make files differ cheaply). */
  comment?: boolean | string;
  xmp?: boolean;
  /** An APP2 ICC_PROFILE segment (a version 2.4 profile header with no tags). */
  icc?: boolean;
  /** Bytes appended after EOI. */
  trailer?: boolean;
}

function pixels(width: number, height: number, seed: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 16 + seed * 37) & 255;
      data[i + 1] = (y * 16 + seed * 11) & 255;
      data[i + 2] = ((x + y) * 8 + seed) & 255;
      data[i + 3] = 255;
    }
  }
  return data;
}

function segment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.from([0xff, marker, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

function exifBlock(spec: JpegSpec): string {
  const { ImageIFD, ExifIFD, GPSIFD } = piexif;
  const zeroth: Record<number, unknown> = {};
  const exif: Record<number, unknown> = {};
  const gps: Record<number, unknown> = {};
  if (spec.exif !== false) {
    Object.assign(zeroth, {
      [ImageIFD.Make]: SECRETS.make,
      [ImageIFD.Model]: SECRETS.model,
      [ImageIFD.Software]: SECRETS.software,
      [ImageIFD.Artist]: SECRETS.artist,
      [ImageIFD.Copyright]: SECRETS.copyright,
    });
    Object.assign(exif, { [ExifIFD.DateTimeOriginal]: SECRETS.taken, [ExifIFD.BodySerialNumber]: SECRETS.serial });
    Object.assign(gps, {
      [GPSIFD.GPSLatitudeRef]: 'N',
      [GPSIFD.GPSLatitude]: [[52, 1], [31, 1], [1234, 100]],
      [GPSIFD.GPSLongitudeRef]: 'E',
      [GPSIFD.GPSLongitude]: [[13, 1], [24, 1], [0, 1]],
      [GPSIFD.GPSAltitude]: [34, 1],
    });
  }
  if (spec.orientation !== undefined) zeroth[ImageIFD.Orientation] = spec.orientation;
  return piexif.dump({ '0th': zeroth, Exif: exif, GPS: gps });
}

/** jpeg-js builds its tables on every encode (tens of ms): encode each pixel set once. */
const encodedCache = new Map<string, Buffer>();

function encodePixels(width: number, height: number, seed: number): Buffer {
  const key = `${width}x${height}:${seed}`;
  let encoded = encodedCache.get(key);
  if (encoded === undefined) {
    encoded = Buffer.from(jpeg.encode({ data: pixels(width, height, seed), width, height }, 90).data);
    encodedCache.set(key, encoded);
  }
  return encoded;
}

/** A small baseline JPEG carrying the metadata `spec` asks for. */
export function makeJpeg(spec: JpegSpec = {}): Buffer {
  const width = spec.width ?? 16;
  const height = spec.height ?? 16;
  let bytes = encodePixels(width, height, spec.seed ?? 0);
  if (spec.exif !== false || spec.orientation !== undefined) {
    bytes = Buffer.from(piexif.insert(exifBlock(spec), bytes.toString('binary')), 'binary');
  }
  const extra: Buffer[] = [];
  if (spec.xmp) {
    const packet = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>${SECRETS.xmpCreator}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>`;
    extra.push(segment(0xe1, Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0'), Buffer.from(packet)])));
  }
  if (spec.icc) {
    const profile = Buffer.alloc(132);
    profile.writeUInt32BE(132, 0);
    profile.writeUInt16BE(0x0240, 8); // version 2.4: the core judges and rewrites kept profiles, and refuses unknown versions
    profile.write('acsp', 36, 'latin1');
    extra.push(segment(0xe2, Buffer.concat([Buffer.from('ICC_PROFILE\0', 'latin1'), Buffer.from([1, 1]), profile])));
  }
  if (spec.comment) {
    const suffix = typeof spec.comment === 'string' ? ` ${spec.comment}` : '';
    extra.push(segment(0xfe, Buffer.from(`${SECRETS.comment}${suffix}`)));
  }
  bytes = Buffer.concat([bytes.subarray(0, 2), ...extra, bytes.subarray(2)]);
  if (spec.trailer) bytes = Buffer.concat([bytes, Buffer.from('TRAILER: hidden payload after EOI')]);
  return bytes;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A small PNG with `tEXt` Author and Comment chunks before IDAT. */
export function makePng(seed = 0): Buffer {
  const png = new PNG({ width: 8, height: 8 });
  png.data = pixels(8, 8, seed);
  const plain = PNG.sync.write(png);
  const ihdrEnd = 8 + 12 + 13; // signature + IHDR chunk
  const text = [
    pngChunk('tEXt', Buffer.from(`Author\0${SECRETS.artist}`, 'latin1')),
    pngChunk('tEXt', Buffer.from(`Comment\0${SECRETS.comment}`, 'latin1')),
  ];
  return Buffer.concat([plain.subarray(0, ihdrEnd), ...text, plain.subarray(ihdrEnd)]);
}

export function decodeJpegPixels(bytes: Uint8Array): Uint8Array {
  return jpeg.decode(bytes, { useTArray: true }).data;
}

export function decodePngPixels(bytes: Uint8Array): Uint8Array {
  return PNG.sync.read(Buffer.from(bytes)).data;
}
