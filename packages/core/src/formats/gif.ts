/**
 * GIF (87a/89a) stream walker, per the GIF89a specification.
 *
 * Positions: a block's `offset` is where its introducer (0x21, 0x2C) starts,
 * its `length` runs to the end of its block terminator.
 *
 * Kept: header, logical screen descriptor and global colour table, Graphic
 * Control Extensions, NETSCAPE2.0/ANIMEXTS1.0 looping extensions, image
 * descriptors with their colour tables and LZW data, the ICC profile
 * extension (ICCRGBG1012, when asked) and the trailer byte. Removed: comment
 * and plain-text extensions, XMP and every other application extension,
 * unknown extensions, and every byte after the trailer.
 */
import { hasAscii, u32be } from '../bytes/read.js';
import { ByteSink } from '../bytes/write.js';
import { SanitizeError } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import type { MetadataItem, MetadataKind } from '../types.js';
import type { FormatHandler, Plan } from './handler.js';

const HEADER_SIZE = 6; // GIF87a / GIF89a
const SCREEN_DESCRIPTOR_SIZE = 7;
const IMAGE_DESCRIPTOR_SIZE = 10; // introducer included
const EXTENSION = 0x21; // '!'
const IMAGE = 0x2c; // ','
const TRAILER = 0x3b; // ';'
const MIN_LZW_CODE_SIZE = 2; // Appendix F: 2 for 1-bit images
const MAX_LZW_CODE_SIZE = 8; // one more than the largest colour index width
const GRAPHIC_CONTROL = 0xf9;
const COMMENT = 0xfe;
const PLAIN_TEXT = 0x01;
const APPLICATION = 0xff;
const APPLICATION_ID_SIZE = 11; // identifier (8) + authentication code (3)
const GRAPHIC_CONTROL_SIZE = 4; // 23.c: packed fields, delay time (2), transparent colour index
const LOOPING_SUB_BLOCK_SIZE = 3; // NETSCAPE2.0 / ANIMEXTS1.0: sub-block id 1, loop count (2)
const LOOPING_SUB_BLOCK_ID = 1;
const ICC_HEADER_SIZE = 128; // ICC.1:2022 7.2: the profile header
const ICC_SIGNATURE = 'acsp'; // ICC.1:2022 7.2.9, at byte 36

const LOOPING = ['NETSCAPE2.0', 'ANIMEXTS1.0'];
const ICC_ID = 'ICCRGBG1012';
const XMP_ID = 'XMP DataXMP';

function fail(code: 'TRUNCATED' | 'MALFORMED', message: string, offset: number): never {
  throw new SanitizeError(code, message, { format: 'gif', offset });
}

/** Size in bytes of a colour table announced by a packed field, 0 when absent. */
const colorTableSize = (packed: number) => (packed & 0x80 ? 3 * (1 << ((packed & 0x07) + 1)) : 0);

/** Steps over data sub-blocks starting at `at`; returns the offset past the 0 terminator. */
function skipSubBlocks(input: Uint8Array, at: number): number {
  const n = input.length;
  let p = at;
  for (;;) {
    if (p >= n) fail('TRUNCATED', 'The GIF ends inside a data sub-block chain', at);
    const size = input[p];
    p += 1 + size;
    if (size === 0) return p;
  }
}

/** The payload of the data sub-blocks in `[at, end)` (end is past the terminator), joined. */
function joinSubBlocks(input: Uint8Array, at: number, end: number): Uint8Array {
  const out = new Uint8Array(end - at);
  let size = 0;
  for (let p = at; input[p] !== 0; p += 1 + input[p]) {
    out.set(input.subarray(p + 1, p + 1 + input[p]), size);
    size += input[p];
  }
  return out.subarray(0, size);
}

/** The ICC extension holds exactly one profile: its size field (ICC.1 7.2.2) equals the payload, with the `acsp` signature. */
function isIccProfile(profile: Uint8Array): boolean {
  return profile.length >= ICC_HEADER_SIZE && u32be(profile, 0) === profile.length && hasAscii(profile, 36, ICC_SIGNATURE);
}

/**
 * Only the fields an extension defines are copied, so that no sub-block rides
 * along: a Graphic Control Extension is its 4-byte block and the terminator;
 * a looping extension its loop-count sub-block (id 1) and the terminator.
 * `undefined` when the extension does not hold that block.
 */
function canonicalExtension(input: Uint8Array, at: number, end: number, label: number): Uint8Array | undefined {
  if (label === GRAPHIC_CONTROL) {
    const blockEnd = at + 2 + 1 + GRAPHIC_CONTROL_SIZE;
    if (input[at + 2] !== GRAPHIC_CONTROL_SIZE) return undefined;
    return blockEnd + 1 === end ? input.subarray(at, end) : Uint8Array.from([...input.subarray(at, blockEnd), 0]);
  }
  const head = at + 3 + APPLICATION_ID_SIZE; // introducer, label, block size, identifier
  for (let p = head; input[p] !== 0; p += 1 + input[p]) {
    if (input[p] !== LOOPING_SUB_BLOCK_SIZE || input[p + 1] !== LOOPING_SUB_BLOCK_ID) continue;
    const block = input.subarray(p, p + 1 + LOOPING_SUB_BLOCK_SIZE);
    return p === head && p + 1 + LOOPING_SUB_BLOCK_SIZE + 1 === end ? input.subarray(at, end) : Uint8Array.from([...input.subarray(at, head), ...block, 0]);
  }
  return undefined;
}

function walk(input: Uint8Array, options: ResolvedOptions): Plan {
  const n = input.length;
  let at = HEADER_SIZE + SCREEN_DESCRIPTOR_SIZE;
  if (at > n) fail('TRUNCATED', 'The GIF ends inside its logical screen descriptor', HEADER_SIZE);
  at += colorTableSize(input[HEADER_SIZE + 4]);
  if (at > n) fail('TRUNCATED', 'The GIF ends inside its global colour table', HEADER_SIZE + SCREEN_DESCRIPTOR_SIZE);

  const output = new ByteSink();
  output.push(input.subarray(0, at));
  const removed: MetadataItem[] = [];
  const kept: MetadataItem[] = [];
  let images = 0;
  const drop = (kind: MetadataKind, container: string, offset: number, end: number, label?: string) =>
    removed.push(label === undefined ? { kind, container, offset, length: end - offset } : { kind, container, offset, length: end - offset, label });

  for (;;) {
    if (at >= n) fail('TRUNCATED', 'The GIF ends before its trailer', at);
    const introducer = input[at];
    if (introducer === TRAILER) {
      if (images === 0) fail('MALFORMED', 'The GIF holds no image', at);
      output.push(input.subarray(at, at + 1));
      if (at + 1 < n) drop('trailer', 'trailer', at + 1, n, 'data after the GIF trailer');
      return { output, removed, kept };
    }
    if (introducer === IMAGE) {
      if (at + IMAGE_DESCRIPTOR_SIZE + 1 > n) fail('TRUNCATED', 'The GIF ends inside an image descriptor', at);
      const dataStart = at + IMAGE_DESCRIPTOR_SIZE + colorTableSize(input[at + 9]) + 1; // + LZW minimum code size
      if (dataStart > n) fail('TRUNCATED', 'The GIF ends inside a local colour table', at);
      if ((input[at + 5] | input[at + 6]) === 0 || (input[at + 7] | input[at + 8]) === 0) fail('MALFORMED', 'An image of zero width or height', at);
      const codeSize = input[dataStart - 1];
      if (codeSize < MIN_LZW_CODE_SIZE || codeSize > MAX_LZW_CODE_SIZE) fail('MALFORMED', `LZW minimum code size ${codeSize} is not 2..8`, dataStart - 1);
      const end = skipSubBlocks(input, dataStart);
      output.push(input.subarray(at, end));
      images++;
      at = end;
      continue;
    }
    if (introducer !== EXTENSION) fail('MALFORMED', `Unexpected byte 0x${introducer.toString(16)} between GIF blocks`, at);
    if (at + 2 > n) fail('TRUNCATED', 'The GIF ends inside an extension', at);
    const label = input[at + 1];
    const end = skipSubBlocks(input, at + 2);
    const idAt = at + 3;
    const id = label === APPLICATION && input[at + 2] === APPLICATION_ID_SIZE ? String.fromCharCode(...input.subarray(idAt, idAt + APPLICATION_ID_SIZE)) : '';
    if (label === GRAPHIC_CONTROL || LOOPING.includes(id)) {
      const name = label === GRAPHIC_CONTROL ? 'graphic-control' : 'application';
      const canonical = canonicalExtension(input, at, end, label);
      if (canonical === undefined) {
        drop('unknown', name, at, end, `${id || 'Graphic Control'} without its defined block`);
      } else {
        output.push(canonical);
        if (canonical.length !== end - at) drop('unknown', name, at, end, `sub-blocks after the ${id || 'Graphic Control'} fields`);
      }
    } else if (label === APPLICATION) {
      if (id === ICC_ID && options.keepColorProfile && isIccProfile(joinSubBlocks(input, idAt + APPLICATION_ID_SIZE, end))) {
        output.push(input.subarray(at, end));
        kept.push({ kind: 'icc', container: 'application', offset: at, length: end - at, label: ICC_ID });
      } else if (id === ICC_ID) {
        drop('icc', 'application', at, end, options.keepColorProfile ? `${ICC_ID}, not a whole profile` : ICC_ID);
      } else if (hasAscii(input, idAt, XMP_ID)) {
        drop('xmp', 'application', at, end, 'XMP');
      } else {
        drop('application', 'application', at, end, id.replace(/[^\x20-\x7e]/g, '?'));
      }
    } else if (label === COMMENT) {
      drop('comment', 'comment', at, end);
    } else if (label === PLAIN_TEXT) {
      drop('text', 'plain-text', at, end);
    } else {
      drop('unknown', `extension 0x${label.toString(16)}`, at, end);
    }
    at = end;
  }
}

export const gif: FormatHandler = {
  format: 'gif',
  plan: walk,
};
