/**
 * Pixels and EXIF of every format the fixtures hold, read by independent
 * decoders: jpeg-js, pngjs, omggif (every frame), UTIF (every page) and
 * libwebp (@cwasm/webp: the still image, or every animation frame on its own).
 * For formats without a decoder here (HEIC, AVIF) `decodePixels` throws.
 */
import { decode as decodeWebp } from '@cwasm/webp';
import { GifReader } from 'omggif';
import UTIF from 'utif';
import { decodeJpegPixels, decodePngPixels } from './images.js';

/** WebP chunks from `from` to `end`: `[type, payload, whole chunk]`. */
function riffChunks(bytes: Buffer, from: number, end: number): [string, Buffer, Buffer][] {
  const chunks: [string, Buffer, Buffer][] = [];
  for (let at = from; at + 8 <= end; ) {
    const size = bytes.readUInt32LE(at + 4);
    chunks.push([bytes.toString('latin1', at, at + 4), bytes.subarray(at + 8, at + 8 + size), bytes.subarray(at, at + 8 + size + (size & 1))]);
    at += 8 + size + (size & 1);
  }
  return chunks;
}

function topChunks(bytes: Buffer): [string, Buffer, Buffer][] {
  return riffChunks(bytes, 12, Math.min(bytes.length, 8 + bytes.readUInt32LE(4)));
}

function webpStill(bytes: Buffer): Uint8Array {
  const { data } = decodeWebp(bytes);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function webpPixels(bytes: Buffer): Uint8Array[] {
  const frames = topChunks(bytes).filter(([type]) => type === 'ANMF');
  if (frames.length === 0) return [webpStill(bytes)];
  return frames.map(([, frame]) => {
    const image = riffChunks(frame, 16, frame.length).filter(([type]) => ['ALPH', 'VP8 ', 'VP8L'].includes(type));
    const body = Buffer.concat([Buffer.from('WEBP'), ...image.map(([, , whole]) => whole)]);
    const size = Buffer.alloc(4);
    size.writeUInt32LE(body.length);
    return webpStill(Buffer.concat([Buffer.from('RIFF'), size, body]));
  });
}

function gifPixels(bytes: Buffer): Uint8Array[] {
  const reader = new GifReader(bytes);
  return Array.from({ length: reader.numFrames() }, (_, i) => {
    const rgba = new Uint8Array(reader.width * reader.height * 4);
    reader.decodeAndBlitFrameRGBA(i, rgba);
    return rgba;
  });
}

/** Every full-resolution page (NewSubfileType bit 0 clear): reduced-resolution previews are not pages. */
function tiffPixels(bytes: Buffer): Uint8Array[] {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const pages = UTIF.decode(buffer).filter((ifd) => ((ifd.t254 as number[] | undefined)?.[0] ?? 0) % 2 === 0);
  return pages.map((ifd) => {
    UTIF.decodeImage(buffer, ifd);
    return UTIF.toRGBA8(ifd);
  });
}

/** Every frame or page of the image, decoded, one after the other. */
export function decodePixels(format: string, bytes: Buffer): Buffer {
  const frames: Uint8Array[] =
    format === 'jpeg' ? [decodeJpegPixels(bytes)] : format === 'png' ? [decodePngPixels(bytes)] : format === 'gif' ? gifPixels(bytes) : format === 'tiff' ? tiffPixels(bytes) : format === 'webp' ? webpPixels(bytes) : [];
  if (frames.length === 0) throw new Error(`no decoder for ${format}`);
  return Buffer.concat(frames);
}

/** The bytes exifr should read for EXIF: the file itself, or for WebP (which exifr does not read) its EXIF chunk. */
export function exifSource(format: string, bytes: Buffer): Buffer | undefined {
  if (format !== 'webp') return bytes;
  const exif = topChunks(bytes).find(([type]) => type === 'EXIF')?.[1];
  return exif && exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? exif.subarray(6) : exif;
}
