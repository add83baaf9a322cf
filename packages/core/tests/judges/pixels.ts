/** Pixel judges: jpeg-js, pngjs, omggif, UTIF and libwebp (@cwasm/webp) decode outputs; none uses the core's parser. */
import { decode as decodeWebpFile } from '@cwasm/webp';
import jpegJs from 'jpeg-js';
import { PNG } from 'pngjs';
import { GifReader } from 'omggif';
import UTIF from 'utif';
import { riffChunks } from '../readers/riff.js';

export interface Pixels {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The formats `decodePixels()` has a decoder for. HEIC and AVIF have none here (libheif is not an npm package). */
export const DECODABLE_FORMATS: readonly string[] = ['jpeg', 'png', 'gif', 'tiff', 'webp'];

/** Frames or pages one after the other: the size of the first, the pixels of all. */
function allFrames(frames: Pixels[]): Pixels {
  return { width: frames[0].width, height: frames[0].height, data: Buffer.concat(frames.map((f) => f.data)) };
}

/**
 * A WebP decoded by libwebp (@cwasm/webp). Its simple API refuses
 * animations, so each ANMF frame's image chunks are decoded as a still
 * file of their own (the frames, not the composed animation).
 */
function webpFrames(bytes: Uint8Array): Pixels[] {
  const frames = riffChunks(bytes).filter((c) => c.type === 'ANMF');
  const stills = frames.length === 0 ? [bytes] : frames.map((frame) => webpStill(riffChunks(frame.data, 16)));
  return stills.map((still) => {
    const image = decodeWebpFile(still);
    return { width: image.width, height: image.height, data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength) };
  });
}

/** `RIFF <size> WEBP` around the image chunks (ALPH, VP8, VP8L) of a frame. */
function webpStill(chunks: ReturnType<typeof riffChunks>): Uint8Array {
  const image = chunks.filter((c) => ['ALPH', 'VP8 ', 'VP8L'].includes(c.type)).map((c) => Buffer.from(c.whole));
  const body = Buffer.concat([Buffer.from('WEBP'), ...image]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('RIFF'), size, body]);
}

/**
 * Decoded pixels, or `undefined` when the decoder cannot read the file (then
 * there is nothing to compare). GIF: every frame (omggif); TIFF: every
 * full-resolution page (UTIF); WebP: the still image or every frame (libwebp).
 */
export function decodePixels(bytes: Uint8Array, format: string): Pixels | undefined {
  try {
    if (format === 'gif') {
      const frames = gifFrames(bytes);
      if (frames === undefined || frames.length === 0) return undefined;
      const reader = new GifReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return allFrames(frames.map((data) => ({ width: reader.width, height: reader.height, data })));
    }
    if (format === 'tiff') {
      const pages = tiffPages(bytes);
      return pages === undefined || pages.length === 0 ? undefined : allFrames(pages);
    }
    if (format === 'webp') return allFrames(webpFrames(bytes));
    if (format === 'jpeg') {
      const image = jpegJs.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048, maxResolutionInMP: 200 });
      return { width: image.width, height: image.height, data: image.data };
    }
    if (format === 'png') {
      const image = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: image.width, height: image.height, data: new Uint8Array(image.data) };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

export function samePixels(a: Pixels, b: Pixels): boolean {
  if (a.width !== b.width || a.height !== b.height || a.data.length !== b.data.length) return false;
  return Buffer.compare(Buffer.from(a.data), Buffer.from(b.data)) === 0;
}

/** Every frame of a GIF, as RGBA, decoded by omggif; `undefined` when omggif cannot read it. */
export function gifFrames(bytes: Uint8Array): Uint8Array[] | undefined {
  try {
    const reader = new GifReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const frames: Uint8Array[] = [];
    for (let i = 0; i < reader.numFrames(); i++) {
      const rgba = new Uint8Array(reader.width * reader.height * 4);
      reader.decodeAndBlitFrameRGBA(i, rgba);
      frames.push(rgba);
    }
    return frames;
  } catch {
    return undefined;
  }
}

/**
 * Every full-resolution page of a TIFF (NewSubfileType bit 0 clear), decoded
 * to RGBA by UTIF; `undefined` when UTIF cannot decode them. BigTIFF is not
 * handed to UTIF at all: it does not read it and may abort the process.
 */
export function tiffPages(bytes: Uint8Array): Pixels[] | undefined {
  if (bytes[2] === 43 || bytes[3] === 43) return undefined;
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const pages = UTIF.decode(buffer).filter((ifd) => ((ifd.t254 as number[] | undefined)?.[0] ?? 0) % 2 === 0);
    return pages.map((ifd) => {
      UTIF.decodeImage(buffer, ifd);
      return { width: ifd.width, height: ifd.height, data: new Uint8Array(UTIF.toRGBA8(ifd)) };
    });
  } catch {
    return undefined;
  }
}
