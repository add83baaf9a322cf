/**
 * JPEG (ITU-T T.81) framing: marker codes, what each marker is, and the
 * structure check of every segment decoding needs.
 */
export const MARKER_PREFIX = 0xff;
export const TEM = 0x01; // ff 01, standalone, arithmetic-coding temporary
export const SOF0 = 0xc0; // ff c0 .. ff cf: SOFn, except DHT, JPG and DAC
export const DHT = 0xc4; // ff c4
export const JPG = 0xc8; // ff c8, reserved for JPEG extensions
export const DAC = 0xcc; // ff cc
export const SOF15 = 0xcf;
export const RST0 = 0xd0; // ff d0 .. ff d7
export const RST7 = 0xd7;
export const SOI = 0xd8; // ff d8
export const EOI = 0xd9; // ff d9
export const SOS = 0xda; // ff da
export const DQT = 0xdb; // ff db
export const DNL = 0xdc; // ff dc
export const DRI = 0xdd; // ff dd
export const DHP = 0xde; // ff de
export const EXP = 0xdf; // ff df
export const APP0 = 0xe0; // ff e0 .. ff ef
export const APP1 = 0xe1;
export const APP2 = 0xe2;
export const APP13 = 0xed;
export const APP14 = 0xee;
export const APP15 = 0xef;
export const COM = 0xfe; // ff fe

export const isSof = (m: number) => m >= SOF0 && m <= SOF15 && m !== DHT && m !== JPG && m !== DAC;
export const isRst = (m: number) => m >= RST0 && m <= RST7;
export const isApp = (m: number) => m >= APP0 && m <= APP15;
/** Segments that decoding needs, copied as they are. */
export const isTableOrFrame = (m: number) =>
  isSof(m) || m === DHT || m === DQT || m === DAC || m === DRI || m === DNL || m === DHP || m === EXP;

/**
 * True when a kept segment's content is exactly what T.81 says it holds, with
 * values in range, so that no other bytes can pass as a table: DQT (B.2.4.1),
 * DHT (B.2.4.2), DAC (B.2.4.3), SOFn/DHP (B.2.2), SOS (B.2.3), DRI (B.2.4.4),
 * DNL (B.2.5), EXP (B.3.3).
 */
export function wellFormed(marker: number, input: Uint8Array, start: number, end: number): boolean {
  const size = end - start;
  const high = (at: number) => input[at] >> 4;
  const low = (at: number) => input[at] & 0x0f;
  if (marker === DQT) {
    let at = start;
    while (at < end) {
      const precision = high(at);
      if (precision > 1 || low(at) > 3) return false;
      const tableEnd = at + 1 + 64 * (precision + 1);
      if (tableEnd > end) return false;
      for (let i = at + 1; i < tableEnd; i += precision + 1) {
        if (input[i] === 0 && (precision === 0 || input[i + 1] === 0)) return false; // a zero quantiser divides by zero
      }
      at = tableEnd;
    }
    return at === end;
  }
  if (marker === DHT) {
    let at = start;
    while (at < end) {
      if (at + 17 > end || high(at) > 1 || low(at) > 3) return false;
      let values = 0;
      let codes = 2; // codes still free at the current length (Kraft inequality)
      for (let i = 1; i <= 16; i++) {
        const count = input[at + i];
        if (count > codes) return false;
        values += count;
        codes = (codes - count) * 2;
      }
      if (values > 256) return false;
      at += 17 + values;
    }
    return at === end;
  }
  if (marker === DAC) {
    if (size % 2 !== 0) return false;
    for (let at = start; at < end; at += 2) {
      const tableClass = high(at);
      const value = input[at + 1];
      if (tableClass > 1 || low(at) > 3) return false;
      if (tableClass === 0 ? (value & 0x0f) > value >> 4 : value < 1 || value > 63) return false;
    }
    return true;
  }
  if (isSof(marker) || marker === DHP) {
    const components = input[start + 5];
    if (size < 6 || components < 1 || size !== 6 + 3 * components) return false;
    const precision = input[start];
    if (precision < 2 || precision > 16) return false;
    for (let at = start + 6; at < end; at += 3) {
      const h = high(at + 1);
      const v = low(at + 1);
      if (h < 1 || h > 4 || v < 1 || v > 4 || input[at + 2] > 3) return false;
    }
    return true;
  }
  if (marker === SOS) {
    const components = input[start];
    if (size < 1 || components < 1 || components > 4 || size !== 4 + 2 * components) return false;
    for (let at = start + 1; at < start + 1 + 2 * components; at += 2) {
      if (high(at + 1) > 3 || low(at + 1) > 3) return false;
    }
    const spectralEnd = input[end - 2];
    return input[end - 3] <= 63 && spectralEnd <= 63 && high(end - 1) <= 13 && low(end - 1) <= 13;
  }
  if (marker === DRI || marker === DNL) return size === 2;
  if (marker === EXP) return size === 1;
  return true;
}

export function markerName(m: number): string {
  if (isApp(m)) return `APP${m - APP0}`;
  if (m === COM) return 'COM';
  return `FF${m.toString(16).toUpperCase().padStart(2, '0')}`;
}

