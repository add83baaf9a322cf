/** Bounds-checked big- and little-endian readers over a Uint8Array. Callers check `at + n <= length` first. */

export function u16be(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

export function u32be(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

const MAX_SAFE_HIGH_WORD = 0x1fffff; // 2^53 = 2^21 * 2^32

/** A 64-bit value from its two 32-bit halves, or `Infinity` when it exceeds 2^53 (it lies past any input). */
function u64(high: number, low: number): number {
  return high > MAX_SAFE_HIGH_WORD ? Infinity : high * 0x100000000 + low;
}

/** A 64-bit big-endian value, or `Infinity` when it exceeds 2^53. */
export function u64be(bytes: Uint8Array, at: number): number {
  return u64(u32be(bytes, at), u32be(bytes, at + 4));
}

/** True when `bytes[at..]` starts with the ASCII text (NUL written as `\0`). Never reads past the end. */
export function hasAscii(bytes: Uint8Array, at: number, text: string): boolean {
  if (at < 0 || at + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i++) {
    if (bytes[at + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

/** The four-character code at `at` (PNG chunk types, ISO-BMFF boxes). */
export function fourCC(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

export function u16le(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8);
}

export function u32le(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

/** A 64-bit little-endian value, or `Infinity` when it exceeds 2^53. */
export function u64le(bytes: Uint8Array, at: number): number {
  return u64(u32le(bytes, at + 4), u32le(bytes, at));
}
