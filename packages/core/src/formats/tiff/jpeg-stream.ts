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
import { u16be } from '../../bytes/read.js';
import { isApp, isRst, isTableOrFrame, markerName, wellFormed } from '../jpeg/markers.js';
import type { Fail } from './structure.js';

const MARKER_PREFIX = 0xff;
const SOI = 0xd8; // ff d8
const EOI = 0xd9; // ff d9
const SOS = 0xda; // ff da
const TEM = 0x01; // ff 01
const COM = 0xfe; // ff fe

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
    if (isRst(marker) || marker === TEM) {
      at += 2;
      continue;
    }
    if (isApp(marker) || marker === COM) {
      fail('UNSUPPORTED_FORMAT', `${what} carries a JPEG ${markerName(marker)} segment`, at);
    }
    if (marker !== SOS && !isTableOrFrame(marker)) fail('UNSUPPORTED_FORMAT', `${what} holds JPEG marker ${markerName(marker)}`, at);
    if (at + 4 > end) fail('TRUNCATED', `${what} ends inside a JPEG segment header`, at);
    const declared = u16be(input, at + 2);
    if (declared < 2) fail('MALFORMED', `${what}: JPEG segment length below 2`, at);
    const segmentEnd = at + 2 + declared;
    if (segmentEnd > end) fail('TRUNCATED', `${what}: a JPEG segment runs past its end`, at);
    if (!wellFormed(marker, input, at + 4, segmentEnd)) fail('MALFORMED', `${what}: JPEG ${markerName(marker)} content does not match its structure`, at);
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
    if (next === 0x00 || isRst(next)) {
      at += 2;
      continue;
    }
    return at;
  }
}
