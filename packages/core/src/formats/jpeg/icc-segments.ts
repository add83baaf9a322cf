/**
 * APP2 `ICC_PROFILE` segments (ICC.1:2022 Annex B.4): one profile split over
 * up to 255 segments, each holding `ICC_PROFILE\0`, its sequence number
 * (1..N), the count N, then up to 65519 profile bytes. The walker hands every
 * such segment before the first scan to `IccSegments` (within its header
 * budget); at the first scan the set is put together, judged and rewritten by
 * metadata/icc.ts, and written back as segments numbered 1..N of N.
 *
 * A set that does not give exactly one profile — a segment missing, a
 * sequence number twice or outside 1..N, counts that disagree — is removed
 * whole, as libjpeg's `jpeg_read_icc_profile()` refuses it: which of two
 * "second" segments a reader would take is anybody's guess. Segments out of
 * order are put in order by their numbers, as every reader does.
 *
 * Positions: `offset` is where a segment's `FF E2` starts in the input,
 * `length` the whole segment, as in the walker.
 */
import { keepIccProfile } from '../../metadata/icc.js';
import { asciiBytes, type Out, writeU16be } from '../../bytes/write.js';
import type { Findings } from '../findings.js';
import type { MetadataItem } from '../../types.js';
import { ICC_ID } from './allowlist.js';
import { APP2, MARKER_PREFIX } from './markers.js';

const SEGMENT_HEADER_SIZE = 4; // FF E2, 2-byte length
const SEQUENCE_AT = SEGMENT_HEADER_SIZE + ICC_ID.length;
const COUNT_AT = SEQUENCE_AT + 1;
/** Where the profile bytes start in a segment: after the marker, the length, `ICC_PROFILE\0`, sequence number and count. */
const PAYLOAD_AT = COUNT_AT + 1;
/** B.4: the most profile bytes one segment holds (a 2-byte length of 65535, minus itself and the 14 bytes before the data). */
export const MAX_ICC_SEGMENT_PAYLOAD = 0xffff - 2 - (PAYLOAD_AT - SEGMENT_HEADER_SIZE);
/** B.4: sequence numbers and the count are one byte. */
export const MAX_ICC_SEGMENTS = 255;

interface Piece {
  /** The whole segment, `FF E2` to its end. */
  segment: Uint8Array;
  item: MetadataItem;
}

export class IccSegments {
  private pieces: Piece[] = [];

  /** An APP2 `ICC_PROFILE` segment, whole (its content at least 14 bytes, checked by the walker's allowlist row). */
  add(segment: Uint8Array, item: MetadataItem): void {
    this.pieces.push({ segment, item });
  }

  /** Writes the profile's segments (rewritten unless `verbatim`), or removes them all and says why. */
  emit(out: Out, f: Findings, verbatim: boolean): void {
    const pieces = this.pieces;
    this.pieces = [];
    if (pieces.length === 0) return;
    const ordered = inOrder(pieces);
    if (typeof ordered === 'string') return drop(pieces, f, ordered);
    const profile = join(ordered);
    const kept = keepIccProfile(profile, 0, profile.length, { verbatim });
    if ('refused' in kept) return drop(pieces, f, kept.refused);
    if (kept.removed.length > 0 && kept.bytes.length > MAX_ICC_SEGMENTS * MAX_ICC_SEGMENT_PAYLOAD) {
      return drop(pieces, f, `rewritten profile larger than ${MAX_ICC_SEGMENTS} segments`);
    }
    if (kept.removed.length === 0) for (const piece of ordered) out.write(piece.segment);
    else out.write(split(kept.bytes));
    for (const { item } of pieces) f.keep(item.kind, item.container, item.offset, item.length, item.label);
    if (kept.removed.length > 0) {
      const length = pieces.reduce((n, { item }) => n + item.length, 0);
      f.remove('text', pieces[0].item.container, pieces[0].item.offset, length, `ICC profile: ${kept.removed.join(', ')}`);
    }
  }
}

/** The pieces by sequence number, or why they are not one set numbered 1..N of N. */
function inOrder(pieces: Piece[]): Piece[] | string {
  const count = pieces[0].segment[COUNT_AT];
  const ordered: Piece[] = new Array(count);
  for (const piece of pieces) {
    const sequence = piece.segment[SEQUENCE_AT];
    if (piece.segment[COUNT_AT] !== count) return 'segment counts disagree';
    if (sequence < 1 || sequence > count) return 'a sequence number outside 1..N';
    if (ordered[sequence - 1] !== undefined) return 'a sequence number twice';
    ordered[sequence - 1] = piece;
  }
  return pieces.length === count ? ordered : 'a segment missing';
}

/** The profile bytes of the ordered segments: a view of the only one, or one copy of them all. */
function join(ordered: Piece[]): Uint8Array {
  if (ordered.length === 1) return ordered[0].segment.subarray(PAYLOAD_AT);
  const size = ordered.reduce((n, { segment }) => n + segment.length - PAYLOAD_AT, 0);
  const profile = new Uint8Array(size);
  let at = 0;
  for (const { segment } of ordered) {
    profile.set(segment.subarray(PAYLOAD_AT), at);
    at += segment.length - PAYLOAD_AT;
  }
  return profile;
}

/** The profile as segments of `MAX_ICC_SEGMENT_PAYLOAD` bytes (the last one shorter), numbered 1..N of N, in one array. */
function split(profile: Uint8Array): Uint8Array {
  const count = Math.max(1, Math.ceil(profile.length / MAX_ICC_SEGMENT_PAYLOAD));
  const out = new Uint8Array(profile.length + count * PAYLOAD_AT);
  const id = asciiBytes(ICC_ID);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const data = profile.subarray(i * MAX_ICC_SEGMENT_PAYLOAD, (i + 1) * MAX_ICC_SEGMENT_PAYLOAD);
    out[at] = MARKER_PREFIX;
    out[at + 1] = APP2;
    writeU16be(out, at + 2, PAYLOAD_AT - 2 + data.length);
    out.set(id, at + SEGMENT_HEADER_SIZE);
    out[at + SEQUENCE_AT] = i + 1;
    out[at + COUNT_AT] = count;
    out.set(data, at + PAYLOAD_AT);
    at += PAYLOAD_AT + data.length;
  }
  return out;
}

function drop(pieces: Piece[], f: Findings, reason: string): void {
  for (const { item } of pieces) f.removeItem({ ...item, label: `${item.label}, ${reason}` });
}
