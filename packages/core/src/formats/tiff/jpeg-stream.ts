/**
 * JPEG streams inside a TIFF (Compression 7, TIFF Technical Note 2): each
 * strip or tile, and the `JPEGTables` value, is a JPEG stream (ITU-T T.81),
 * often abbreviated (tables in `JPEGTables`, only SOF/SOS in the strips).
 * They are copied byte for byte, so they are accepted only when they carry
 * nothing but coding segments, each checked field by field as in `jpeg.ts`:
 * no APPn, no COM, no unknown marker, nothing but zero padding after EOI.
 *
 * Positions: `offset` is where a marker's `FF` starts.
 */
import { wellFormed } from '../jpeg.js';
import type { Fail } from './structure.js';

const MARKER_PREFIX = 0xff;
const SOI = 0xd8; // ff d8
const EOI = 0xd9; // ff d9
const SOS = 0xda; // ff da
const RST0 = 0xd0; // ff d0 .. ff d7
const RST7 = 0xd7;
const TEM = 0x01; // ff 01
const APP0 = 0xe0; // ff e0 .. ff ef
const APP15 = 0xef;
const COM = 0xfe; // ff fe

/** Segments a decoder needs (T.81 B.2, B.3): DQT, DHT, DAC, DRI, DNL, DHP, EXP and every SOFn. */
function isCodingSegment(marker: number): boolean {
  if (marker >= 0xc0 && marker <= 0xcf) return marker !== 0xc8; // SOFn, DHT (c4), DAC (cc); not JPG (c8)
  return marker === 0xdb || marker === 0xdd || marker === 0xdc || marker === 0xde || marker === 0xdf; // DQT DRI DNL DHP EXP
}

const hex = (marker: number) => `FF${marker.toString(16).toUpperCase().padStart(2, '0')}`;

/** Refuses the JPEG stream in `[start, end)` unless it holds only coding segments; `what` names it in messages. */
export function checkJpegStream(input: Uint8Array, start: number, end: number, what: string, fail: Fail): void {
  if (end - start < 2 || input[start] !== MARKER_PREFIX || input[start + 1] !== SOI) fail('MALFORMED', `${what} is not a JPEG stream (no SOI)`, start);
  let at = start + 2;
  while (at < end) {
    if (input[at] !== MARKER_PREFIX) fail('MALFORMED', `${what}: bytes between JPEG segments`, at);
    if (at + 1 >= end) fail('TRUNCATED', `${what} ends inside a JPEG marker`, at);
    const marker = input[at + 1];
    if (marker === MARKER_PREFIX) {
      at += 1; // fill byte
      continue;
    }
    if (marker === EOI) {
      for (let i = at + 2; i < end; i++) {
        if (input[i] !== 0) fail('UNSUPPORTED_FORMAT', `${what} holds data after its JPEG EOI`, i);
      }
      return;
    }
    if ((marker >= RST0 && marker <= RST7) || marker === TEM) {
      at += 2;
      continue;
    }
    if ((marker >= APP0 && marker <= APP15) || marker === COM) {
      fail('UNSUPPORTED_FORMAT', `${what} carries a JPEG ${marker === COM ? 'COM' : `APP${marker - APP0}`} segment`, at);
    }
    if (marker !== SOS && !isCodingSegment(marker)) fail('UNSUPPORTED_FORMAT', `${what} holds JPEG marker ${hex(marker)}`, at);
    if (at + 4 > end) fail('TRUNCATED', `${what} ends inside a JPEG segment header`, at);
    const declared = (input[at + 2] << 8) | input[at + 3];
    if (declared < 2) fail('MALFORMED', `${what}: JPEG segment length below 2`, at);
    const segmentEnd = at + 2 + declared;
    if (segmentEnd > end) fail('TRUNCATED', `${what}: a JPEG segment runs past its end`, at);
    if (!wellFormed(marker, input, at + 4, segmentEnd)) fail('MALFORMED', `${what}: JPEG ${hex(marker)} content does not match its structure`, at);
    at = marker === SOS ? skipEntropyCoded(input, segmentEnd, end) : segmentEnd;
  }
}

/** From the end of an SOS header, the offset of the next marker's `FF` (RSTn and stuffed `FF 00` are part of the scan), or `end`. */
function skipEntropyCoded(input: Uint8Array, from: number, end: number): number {
  const stream = input.subarray(0, end); // never search past the stream: many strips must cost linear time
  let at = from;
  for (;;) {
    at = stream.indexOf(MARKER_PREFIX, at);
    if (at < 0 || at + 1 >= end) return end;
    const next = input[at + 1];
    if (next === 0x00 || (next >= RST0 && next <= RST7)) {
      at += 2;
      continue;
    }
    return at;
  }
}
