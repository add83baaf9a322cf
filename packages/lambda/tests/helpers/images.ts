// Small test images with planted secrets, built with real encoders
// (jpeg-js, pngjs, piexifjs) so the core sees what cameras and editors write.
import exifr from 'exifr';
import jpeg from 'jpeg-js';
import piexif from 'piexifjs';
import { PNG } from 'pngjs';

/** Strings planted in metadata; none may survive sanitization. */
export const SECRETS = {
  artist: 'SECRET-ARTIST-7f3a',
  gps: 'SECRET-GPS-DATUM-91c2',
  xmp: 'SECRET-XMP-CREATOR-44d1',
  comment: 'SECRET-COMMENT-0b5e',
  pngText: 'SECRET-PNG-TEXT-e8a9',
} as const;

function pixels(width: number, height: number, seed: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = (i * 7 + seed) & 0xff;
    data[i + 1] = (i * 3 + seed * 5) & 0xff;
    data[i + 2] = (i + seed * 11) & 0xff;
    data[i + 3] = 0xff;
  }
  return data;
}

/** A baseline JPEG, no metadata beyond JFIF. `seed` varies the pixels (and so the bytes). */
export function plainJpeg(seed = 1, size = 8): Buffer {
  return Buffer.from(jpeg.encode({ data: pixels(size, size, seed), width: size, height: size }, 90).data);
}

function segment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.from([0xff, marker, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

/** A JPEG with EXIF (artist, GPS), an XMP packet and a comment, each carrying a secret. */
export function jpegWithSecrets(seed = 1): Buffer {
  const exif = piexif.dump({
    '0th': { [piexif.ImageIFD.Artist]: SECRETS.artist, [piexif.ImageIFD.Make]: 'TestCam' },
    GPS: {
      [piexif.GPSIFD.GPSLatitudeRef]: 'N',
      [piexif.GPSIFD.GPSLatitude]: [
        [48, 1],
        [51, 1],
        [2964, 100],
      ],
      [piexif.GPSIFD.GPSLongitudeRef]: 'E',
      [piexif.GPSIFD.GPSLongitude]: [
        [2, 1],
        [17, 1],
        [4028, 100],
      ],
      [piexif.GPSIFD.GPSMapDatum]: SECRETS.gps,
    },
  });
  const withExif = Buffer.from(piexif.insert(exif, plainJpeg(seed).toString('binary')), 'binary');
  const xmp = Buffer.from(
    'http://ns.adobe.com/xap/1.0/\0' +
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
      `<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="${SECRETS.xmp}"/></rdf:RDF></x:xmpmeta>`,
    'latin1',
  );
  const comment = Buffer.from(SECRETS.comment, 'latin1');
  // SOI, then XMP (APP1) and COM, then the rest (APP0 JFIF, APP1 Exif, image).
  return Buffer.concat([withExif.subarray(0, 2), segment(0xe1, xmp), segment(0xfe, comment), withExif.subarray(2)]);
}

/** A PNG with a tEXt chunk carrying a secret. */
export function pngWithSecrets(): Buffer {
  const png = new PNG({ width: 8, height: 8 });
  png.data = pixels(8, 8, 3);
  const plain = PNG.sync.write(png);
  const text = chunk('tEXt', Buffer.from(`Author\0${SECRETS.pngText}`, 'latin1'));
  const afterIhdr = 8 + 25; // signature + IHDR (4 length + 4 type + 13 data + 4 CRC)
  return Buffer.concat([plain.subarray(0, afterIhdr), text, plain.subarray(afterIhdr)]);
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A PNG whose IDAT CRC no longer matches: the core must refuse it. */
export function pngWithBadCrc(): Buffer {
  const bytes = Buffer.from(pngWithSecrets());
  const idat = bytes.indexOf('IDAT', 0, 'latin1');
  bytes[idat + 4] ^= 0xff; // flip the first data byte, keep the stored CRC
  return bytes;
}

/**
 * The tags a sanitized TIFF keeps in its IFDs (TIFF 6.0 rendering fields, by
 * the names exifr gives them): they describe the pixels, not the picture.
 */
const TIFF_RENDERING_TAGS = new Set([
  'NewSubfileType', 'SubfileType', 'ImageWidth', 'ImageHeight', 'BitsPerSample', 'Compression', 'PhotometricInterpretation', 'Thresholding',
  'FillOrder', 'StripOffsets', 'SamplesPerPixel', 'RowsPerStrip', 'StripByteCounts', 'MinSampleValue', 'MaxSampleValue', 'XResolution',
  'YResolution', 'PlanarConfiguration', 'ResolutionUnit', 'PageNumber', 'TransferFunction', 'Predictor', 'WhitePoint', 'PrimaryChromaticities',
  'ColorMap', 'HalftoneHints', 'TileWidth', 'TileLength', 'TileOffsets', 'TileByteCounts', 'InkSet', 'ExtraSamples', 'SampleFormat',
  'JPEGTables', 'YCbCrCoefficients', 'YCbCrSubSampling', 'YCbCrPositioning', 'ReferenceBlackWhite',
]);

/**
 * The TIFF structure exifr should read for EXIF: the file itself, or for WebP
 * (which exifr does not read) the payload of its EXIF chunk, found by a plain
 * RIFF listing; `undefined` when a WebP has none.
 */
export function exifSource(bytes: Uint8Array, format = 'jpeg'): Buffer | undefined {
  const data = Buffer.from(bytes);
  if (format !== 'webp') return data;
  const end = Math.min(data.length, 8 + data.readUInt32LE(4));
  for (let at = 12; at + 8 <= end; ) {
    const size = data.readUInt32LE(at + 4);
    if (data.toString('latin1', at, at + 4) === 'EXIF') {
      const payload = data.subarray(at + 8, at + 8 + size);
      return payload.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? payload.subarray(6) : payload;
    }
    at += 8 + size + (size & 1);
  }
  return undefined;
}

/**
 * What a metadata reader (exifr) still finds in an image of `format`. A
 * sanitized image may carry at most a fresh orientation tag (and, in a TIFF,
 * the fields that describe its pixels). exifr reads no GIF metadata at all.
 */
export async function metadataLeft(bytes: Uint8Array, format = 'jpeg'): Promise<string[]> {
  const source = exifSource(bytes, format);
  if (source === undefined || format === 'gif') return [];
  const found = await exifr.parse(source, { tiff: true, exif: true, gps: true, xmp: true, iptc: true, icc: false, jfif: false, ihdr: false });
  return Object.keys(found ?? {}).filter((key) => key !== 'Orientation' && !(format === 'tiff' && TIFF_RENDERING_TAGS.has(key)));
}

/** The planted secrets still present anywhere in the bytes. */
export function secretsIn(bytes: Uint8Array, secrets: readonly string[] = Object.values(SECRETS)): string[] {
  const haystack = Buffer.from(bytes).toString('latin1');
  return secrets.filter((secret) => haystack.includes(secret));
}

/**
 * A baseline TIFF (little-endian, 8-bit grey, uncompressed, one strip) of
 * `width` × `height` pixels: a format the core holds whole, so the size cap
 * applies to it. Written here byte by byte (TIFF 6.0, section 2).
 */
export function plainTiff(width = 8, height = 8, seed = 1): Buffer {
  const pixels = Buffer.alloc(width * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + seed * 13) & 0xff;
  const entries: Array<[tag: number, type: number, value: number]> = [
    [256, 4, width], // ImageWidth, LONG
    [257, 4, height], // ImageLength
    [258, 3, 8], // BitsPerSample, SHORT
    [259, 3, 1], // Compression: none
    [262, 3, 1], // PhotometricInterpretation: BlackIsZero
    [273, 4, 8], // StripOffsets: the pixels follow the header
    [277, 3, 1], // SamplesPerPixel
    [278, 4, height], // RowsPerStrip
    [279, 4, pixels.length], // StripByteCounts
  ];
  const ifd = Buffer.alloc(2 + entries.length * 12 + 4);
  ifd.writeUInt16LE(entries.length, 0);
  entries.forEach(([tag, type, value], i) => {
    ifd.writeUInt16LE(tag, 2 + i * 12);
    ifd.writeUInt16LE(type, 4 + i * 12);
    ifd.writeUInt32LE(1, 6 + i * 12);
    if (type === 3) ifd.writeUInt16LE(value, 10 + i * 12);
    else ifd.writeUInt32LE(value, 10 + i * 12);
  });
  const header = Buffer.from([0x49, 0x49, 42, 0, 0, 0, 0, 0]); // II, 42, IFD offset (patched)
  const ifdAt = 8 + pixels.length + (pixels.length & 1);
  header.writeUInt32LE(ifdAt, 4);
  return Buffer.concat([header, pixels, Buffer.alloc(pixels.length & 1), ifd]);
}

/**
 * `jpegWithSecrets(seed)` grown to about `bytes`: its entropy-coded data is
 * padded with filler (never 0xFF, so no marker appears) and `trailer` is
 * appended after EOI. Every kept byte passes the walker as scan data, as the
 * pixels of a large photo do; only the headers are a real encoder's.
 */
export function largeJpeg(bytes: number, seed = 1, trailer = ''): Buffer {
  const base = jpegWithSecrets(seed);
  const eoi = base.length - 2;
  if (base[eoi] !== 0xff || base[eoi + 1] !== 0xd9) throw new Error('expected the encoder to end with EOI');
  const filler = Buffer.alloc(Math.max(0, bytes - base.length));
  for (let i = 0; i < filler.length; i++) filler[i] = (i * 31 + seed) % 255;
  return Buffer.concat([base.subarray(0, eoi), filler, base.subarray(eoi), Buffer.from(trailer, 'latin1')]);
}
