/**
 * ISO-BMFF box framing (ISO/IEC 14496-12, 4.2).
 *
 * Positions: a box's `offset` is where its size field starts, `start` where
 * its payload starts (after the size, type, 64-bit largesize and the `uuid`
 * usertype, but before a FullBox's version and flags), `end` one past the
 * box. Its `length` in reports is `end - offset`.
 */
import { fourCC, u16be, u32be, u64be } from '../../bytes/read.js';
import type { Fail } from '../findings.js';

export const BOX_HEADER_SIZE = 8; // size (4) + type (4)
const LARGESIZE_SIZE = 8; // 4.2.2: size == 1, a 64-bit largesize follows the type
export const USERTYPE_SIZE = 16; // 4.2.2: type 'uuid' is followed by a 16-byte usertype
export const FULL_BOX_HEADER_SIZE = 4; // 4.2.2 FullBox: version (1) + flags (3)
const SIZE_LARGE = 1;
const SIZE_TO_END = 0; // 4.2.2: "the last box in the file, its contents extend to the end of the file"
/** Largest integer a 64-bit field may hold for us to add it to offsets exactly. */

export interface Box {
  type: string;
  offset: number;
  start: number;
  end: number;
}

/** How the format walker refuses: a `SanitizeError` with the detected format. */
export type { Fail };

/** An unsigned big-endian field of 0, 2, 4 or 8 bytes (iloc's variable-size fields). */
export function uintBe(bytes: Uint8Array, at: number, size: number): number {
  if (size === 0) return 0;
  if (size === 2) return u16be(bytes, at);
  if (size === 4) return u32be(bytes, at);
  return u64be(bytes, at);
}

/** A type as a report may print it: printable ASCII only. */
export function printableType(type: string): string {
  return type.replace(/[^\x21-\x7e]/g, '?');
}

/**
 * The box whose header starts at `at` inside `[at, limit)`. A box running
 * past `limit` is `TRUNCATED`; a size below its own header, or a 64-bit size
 * beyond 2^53, is `MALFORMED`. `size == 0` (to the end) is accepted only
 * where `toEndAllowed` (the top level).
 */
export function readBox(input: Uint8Array, at: number, limit: number, fail: Fail, toEndAllowed = false): Box {
  if (at + BOX_HEADER_SIZE > limit) fail('TRUNCATED', 'Box header runs past the end of its container', at);
  const type = fourCC(input, at + 4);
  const declared = u32be(input, at);
  let start = at + BOX_HEADER_SIZE;
  let end: number;
  if (declared === SIZE_LARGE) {
    if (start + LARGESIZE_SIZE > limit) fail('TRUNCATED', `${printableType(type)} box largesize runs past the end`, at);
    const large = u64be(input, start);
    if (large === Infinity) fail('MALFORMED', `${printableType(type)} box has a 64-bit size beyond 2^53`, at);
    start += LARGESIZE_SIZE;
    end = at + large;
  } else if (declared === SIZE_TO_END) {
    if (!toEndAllowed) fail('MALFORMED', `${printableType(type)} box has size 0 inside a container`, at);
    end = limit;
  } else {
    end = at + declared;
  }
  if (type === 'uuid') start += USERTYPE_SIZE;
  if (end < start) fail('MALFORMED', `${printableType(type)} box size is smaller than its header`, at);
  if (end > limit) fail('TRUNCATED', `${printableType(type)} box runs past the end of its container`, at);
  return { type, offset: at, start, end };
}

/** Counts boxes across one walk and refuses more than `max`: hostile files must cost linear time. */
export class BoxBudget {
  private count = 0;
  constructor(
    private readonly max: number,
    private readonly fail: Fail,
  ) {}

  take(offset: number): void {
    this.count++;
    if (this.count > this.max) this.fail('LIMIT_EXCEEDED', `More than ${this.max} boxes`, offset);
  }
}

/** The boxes that exactly fill `[from, to)`; every step advances by at least a header. */
export function childBoxes(input: Uint8Array, from: number, to: number, fail: Fail, budget: BoxBudget): Box[] {
  const boxes: Box[] = [];
  for (let at = from; at < to; ) {
    budget.take(at);
    const box = readBox(input, at, to, fail);
    boxes.push(box);
    at = box.end;
  }
  return boxes;
}
