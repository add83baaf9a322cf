import { u32be } from './bytes/read.js';
import type { ImageFormat } from './types.js';

/** Formats `sanitizeImage()` can clean today. The others are detected and rejected with `UNSUPPORTED_FORMAT`. */
export const SUPPORTED_FORMATS: readonly ImageFormat[] = ['jpeg', 'png', 'webp', 'gif', 'heic', 'avif', 'tiff'];

/** The media type of each format, for Content-Type headers. */
export const MIME_TYPES: Readonly<Record<ImageFormat, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  avif: 'image/avif',
  tiff: 'image/tiff',
};

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]; // \x89 P N G \r \n \x1a \n

function startsWith(input: Uint8Array, bytes: readonly number[], at = 0): boolean {
  if (input.length < at + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (input[at + i] !== bytes[i]) return false;
  return true;
}

function ascii(input: Uint8Array, at: number, text: string): boolean {
  if (input.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (input[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

const HEIC_BRANDS = ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1'];
const AVIF_BRANDS = ['avif', 'avis'];

/** ISO-BMFF `ftyp`: the major brand decides, then the compatible brands. */
function sniffIsoBmff(input: Uint8Array): ImageFormat | undefined {
  if (!ascii(input, 4, 'ftyp') || input.length < 16) return undefined;
  const boxSize = u32be(input, 0);
  const end = Math.min(input.length, boxSize >= 16 ? boxSize : 16);
  const brandAt = (at: number) => String.fromCharCode(input[at], input[at + 1], input[at + 2], input[at + 3]);
  const brands = [brandAt(8)];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(brandAt(at));
  if (AVIF_BRANDS.includes(brands[0])) return 'avif';
  if (HEIC_BRANDS.includes(brands[0]) && brands[0] !== 'mif1' && brands[0] !== 'msf1') return 'heic';
  if (brands.some((b) => AVIF_BRANDS.includes(b))) return 'avif';
  if (brands.some((b) => HEIC_BRANDS.includes(b))) return 'heic';
  return undefined;
}

/**
 * Detect an image container from its magic bytes. Never throws: anything
 * unrecognised, including a non-`Uint8Array`, is `undefined`.
 */
export function detectFormat(input: Uint8Array): ImageFormat | undefined {
  if (!(input instanceof Uint8Array) || input.length < 3) return undefined;
  switch (input[0]) {
    case 0xff: // ff d8 ff: SOI then a marker
      return input[1] === 0xd8 && input[2] === 0xff ? 'jpeg' : undefined;
    case 0x89:
      return startsWith(input, PNG_SIGNATURE) ? 'png' : undefined;
    case 0x47: // G I F 8 7a|9a
      return ascii(input, 0, 'GIF87a') || ascii(input, 0, 'GIF89a') ? 'gif' : undefined;
    case 0x52: // R I F F .... W E B P
      return ascii(input, 0, 'RIFF') && ascii(input, 8, 'WEBP') ? 'webp' : undefined;
    case 0x49: // I I * \0 (TIFF) or I I + \0 (BigTIFF)
      return startsWith(input, [0x49, 0x49, 0x2a, 0x00]) || startsWith(input, [0x49, 0x49, 0x2b, 0x00]) ? 'tiff' : undefined;
    case 0x4d: // M M \0 * or M M \0 +
      return startsWith(input, [0x4d, 0x4d, 0x00, 0x2a]) || startsWith(input, [0x4d, 0x4d, 0x00, 0x2b]) ? 'tiff' : undefined;
    default:
      return sniffIsoBmff(input);
  }
}
