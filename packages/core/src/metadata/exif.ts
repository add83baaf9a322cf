/**
 * The only EXIF the core understands: the Orientation tag (0x0112) of IFD0.
 * It reads it from a TIFF structure and writes a fresh TIFF structure that
 * holds nothing else.
 */
import { hasAscii, u16be, u16le, u32be, u32le } from '../bytes/read.js';

const TAG_ORIENTATION = 0x0112;
const TYPE_SHORT = 3;
const TIFF_HEADER_SIZE = 8;
const IFD_ENTRY_SIZE = 12;

/** The JPEG APP1 identifier (CIPA DC-008 4.7.2) that some writers also put before the TIFF header of a PNG eXIf or WebP EXIF chunk. */
const EXIF_PREFIX = 'Exif\0\0';

/**
 * Where the TIFF header of an EXIF payload at `bytes[start..)` starts:
 * after an `Exif\0\0` prefix when there is one (PNG and WebP define the
 * payload as the TIFF structure itself, but writers copy JPEG's prefix), at
 * `start` otherwise.
 */
export function tiffStart(bytes: Uint8Array, start: number): number {
  return hasAscii(bytes, start, EXIF_PREFIX) ? start + EXIF_PREFIX.length : start;
}

/** Size of the TIFF structure written by `writeOrientationTiff()`. */
export const ORIENTATION_TIFF_SIZE = TIFF_HEADER_SIZE + 2 + IFD_ENTRY_SIZE + 4; // 26

/**
 * Orientation (1..8) from the TIFF structure in `bytes[start..end)`, or
 * `undefined` when it is absent, out of range or anything is out of bounds.
 * Reads at most one IFD: constant work whatever the input says.
 */
export function readOrientation(bytes: Uint8Array, start: number, end: number): number | undefined {
  if (end - start < TIFF_HEADER_SIZE) return undefined;
  const little = bytes[start] === 0x49 && bytes[start + 1] === 0x49; // I I
  const big = bytes[start] === 0x4d && bytes[start + 1] === 0x4d; // M M
  if (!little && !big) return undefined;
  const u16 = (at: number) => (little ? u16le(bytes, at) : u16be(bytes, at));
  const u32 = (at: number) => (little ? u32le(bytes, at) : u32be(bytes, at));
  if (u16(start + 2) !== 42) return undefined;
  const ifd = start + u32(start + 4);
  if (ifd < start + TIFF_HEADER_SIZE || ifd + 2 > end) return undefined;
  const count = u16(ifd);
  const available = Math.floor((end - ifd - 2) / IFD_ENTRY_SIZE);
  const entries = Math.min(count, available);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * IFD_ENTRY_SIZE;
    if (u16(entry) !== TAG_ORIENTATION) continue;
    if (u16(entry + 2) !== TYPE_SHORT || u32(entry + 4) !== 1) return undefined;
    const value = u16(entry + 8);
    return value >= 1 && value <= 8 ? value : undefined;
  }
  return undefined;
}

/** A big-endian TIFF structure whose IFD0 holds only Orientation = `value`. */
export function writeOrientationTiff(value: number): Uint8Array {
  const out = new Uint8Array(ORIENTATION_TIFF_SIZE);
  out.set([0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08]); // MM, 42, IFD0 at 8
  out.set([0x00, 0x01], 8); // one entry
  out.set([0x01, 0x12, 0x00, TYPE_SHORT, 0x00, 0x00, 0x00, 0x01, 0x00, value & 0xff, 0x00, 0x00], 10);
  // next IFD offset: 0 (already zero)
  return out;
}

/** True when `bytes[start..end)` is exactly what `writeOrientationTiff()` writes for some orientation 2..8. */
export function isOrientationOnlyTiff(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start !== ORIENTATION_TIFF_SIZE) return false;
  const value = bytes[start + 19];
  if (value < 2 || value > 8) return false;
  const expected = writeOrientationTiff(value);
  for (let i = 0; i < ORIENTATION_TIFF_SIZE; i++) if (bytes[start + i] !== expected[i]) return false;
  return true;
}
