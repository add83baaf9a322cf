/** Leak judges: plain byte searches for planted secrets and container signatures, and where image data lies. */
import { heifImageItems, heifLayout } from '../readers/heif.js';
import { riffChunks } from '../readers/riff.js';
import { tiffLayout } from '../readers/tiff.js';

/** True when the ASCII/UTF-8 text occurs in the bytes. */
export function containsText(bytes: Uint8Array, text: string): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(Buffer.from(text, 'utf8'));
}

/** Container signatures that must never survive, found by plain byte search. */
export const JPEG_LEAK_SIGNATURES = [
  'http://ns.adobe.com/xap/1.0/',
  'http://ns.adobe.com/xmp/extension/',
  'Photoshop 3.0',
  'JFXX\0',
  'MPF\0',
  'FPXR',
  'Ducky',
];

export const PNG_LEAK_SIGNATURES = ['tEXt', 'zTXt', 'iTXt', 'tIME', 'dSIG', 'XML:com.adobe.xmp'];

const XMP_SIGNATURES = ['<x:xmpmeta', 'http://ns.adobe.com/xap/1.0/'];

export const WEBP_LEAK_SIGNATURES = [...XMP_SIGNATURES, 'XMP '];

export const GIF_LEAK_SIGNATURES = [...XMP_SIGNATURES, 'XMP DataXMP', 'GIFCONnb1.0'];

export const TIFF_LEAK_SIGNATURES = [...XMP_SIGNATURES, 'Photoshop 3.0', '8BIM'];

export const HEIF_LEAK_SIGNATURES = [...XMP_SIGNATURES, 'application/rdf+xml', 'mpvd', 'Exif\0\0'];

const LEAK_SIGNATURES: Record<string, string[]> = {
  jpeg: JPEG_LEAK_SIGNATURES,
  png: PNG_LEAK_SIGNATURES,
  webp: WEBP_LEAK_SIGNATURES,
  gif: GIF_LEAK_SIGNATURES,
  tiff: TIFF_LEAK_SIGNATURES,
  heic: HEIF_LEAK_SIGNATURES,
  avif: HEIF_LEAK_SIGNATURES,
};

/** The byte signatures present in `output` but not allowed. */
export function leakedSignatures(output: Uint8Array, format: string): string[] {
  return (LEAK_SIGNATURES[format] ?? []).filter((signature) => containsText(output, signature));
}

/** The furthest byte any IFD, value or strip of a TIFF reaches, rounded up to a word (TIFF data is word-aligned). */
function tiffEnd(bytes: Uint8Array): number {
  const end = Math.max(8, ...tiffLayout(bytes).map((ifd) => ifd.end));
  return end + (end & 1);
}

/** ISO-BMFF top-level boxes laid end to end from 0: where the last one ends (0 if a size is invalid). */
function boxesEnd(bytes: Uint8Array): number {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + 8 <= view.length) {
    const size = view.readUInt32BE(at);
    const whole = size === 1 ? Number(view.readBigUInt64BE(at + 8)) : size === 0 ? view.length - at : size;
    if (whole < 8) return 0;
    at += whole;
  }
  return at;
}

/**
 * True when nothing follows the image: the JPEG ends right at its EOI, the
 * PNG right after its IEND chunk, the WebP at the end of its RIFF, the GIF at
 * its trailer byte, the HEIF at the end of its last box, the TIFF at the end
 * of the furthest structure its IFDs point at.
 */
export function endsCleanly(output: Uint8Array, format: string): boolean {
  const n = output.length;
  if (format === 'jpeg') return output[n - 2] === 0xff && output[n - 1] === 0xd9;
  if (format === 'png') return Buffer.from(output.subarray(n - 12)).equals(Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]));
  if (format === 'webp') return n >= 12 && Buffer.from(output.buffer, output.byteOffset, n).readUInt32LE(4) + 8 === n;
  if (format === 'gif') return output[n - 1] === 0x3b;
  if (format === 'heic' || format === 'avif') return boxesEnd(output) === n;
  if (format === 'tiff') return tiffEnd(output) === n;
  return false;
}

/**
 * Where the compressed image data lies, delimited the simple way a decoder
 * would (test-side, independent of the core): JPEG entropy-coded segments,
 * PNG IDAT/fdAT payloads, WebP VP8/VP8L/ALPH payloads, GIF colour tables and
 * image data. Bytes
 * there are pixels to every reader, whatever they spell.
 */
export function imageDataRanges(bytes: Uint8Array, format: string): [number, number][] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ranges: [number, number][] = [];
  const n = view.length;
  if (format === 'jpeg') {
    let p = 2;
    while (p + 1 < n) {
      if (view[p] !== 0xff) return ranges;
      const m = view[p + 1];
      if (m === 0xff) {
        p++;
        continue;
      }
      if (m === 0xd9) return ranges;
      if ((m >= 0xd0 && m <= 0xd8) || m === 0x01) {
        p += 2;
        continue;
      }
      if (p + 4 > n) return ranges;
      const end = p + 2 + view.readUInt16BE(p + 2);
      if (m !== 0xda) {
        p = end;
        continue;
      }
      let q = end;
      // The entropy-coded data ends at the first FF of a run of FFs that a marker byte follows; like
      // libjpeg, FF FF 00 is a fill byte and a stuffed FF, still data.
      for (;;) {
        while (q < n && view[q] !== 0xff) q++;
        let last = q;
        while (last + 1 < n && view[last + 1] === 0xff) last++;
        const next = view[last + 1];
        if (last + 1 >= n || (next !== 0x00 && (next < 0xd0 || next > 0xd7))) break;
        q = last + 2;
      }
      ranges.push([end, q]);
      p = q;
    }
  } else if (format === 'png') {
    for (let p = 8; p + 12 <= n; ) {
      const size = view.readUInt32BE(p);
      const type = view.toString('latin1', p + 4, p + 8);
      if (type === 'IDAT' || type === 'fdAT') ranges.push([p + 8, p + 8 + size]);
      p += 12 + size;
    }
  } else if (format === 'webp') {
    const visit = (chunks: ReturnType<typeof riffChunks>) => {
      for (const c of chunks) {
        const start = c.data.byteOffset - bytes.byteOffset;
        if (['VP8 ', 'VP8L', 'ALPH', 'ANMF'].includes(c.type)) ranges.push([start, start + c.data.length]);
      }
    };
    visit(riffChunks(bytes));
  } else if (format === 'heic' || format === 'avif') {
    const layout = heifLayout(bytes);
    for (const id of heifImageItems(layout, bytes)) for (const extent of layout.items.get(id)?.extents ?? []) ranges.push(extent);
  } else if (format === 'tiff') {
    for (const ifd of tiffLayout(bytes)) ranges.push(...ifd.segments);
  } else if (format === 'gif') {
    const table = (packed: number) => (packed & 0x80 ? 3 << ((packed & 7) + 1) : 0);
    let p = 13 + table(view[10]);
    ranges.push([13, p]); // the global colour table: colours, whatever they spell
    while (p < n && view[p] !== 0x3b) {
      const image = view[p] === 0x2c;
      if (image) ranges.push([p + 1, p + 10 + table(view[p + 9])]); // frame geometry and its local colour table
      let q = image ? p + 10 + table(view[p + 9]) + 1 : p + 2;
      const start = q;
      while (q < n && view[q] !== 0) q += 1 + view[q];
      if (image) ranges.push([start, q]);
      p = q + 1;
    }
  }
  return ranges;
}

/** Offsets of every occurrence of `text` in the bytes that lie outside the image data. */
export function occurrencesOutsideImageData(bytes: Uint8Array, format: string, text: string): number[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ranges = imageDataRanges(bytes, format);
  const needle = Buffer.from(text, 'utf8');
  const outside: number[] = [];
  for (let at = view.indexOf(needle); at >= 0; at = view.indexOf(needle, at + 1)) {
    if (!ranges.some(([start, end]) => at >= start && at + needle.length <= end)) outside.push(at);
  }
  return outside;
}
