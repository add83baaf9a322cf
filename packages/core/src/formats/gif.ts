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
import { hasAscii } from '../bytes/read.js';
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
const GRAPHIC_CONTROL = 0xf9;
const COMMENT = 0xfe;
const PLAIN_TEXT = 0x01;
const APPLICATION = 0xff;
const APPLICATION_ID_SIZE = 11; // identifier (8) + authentication code (3)

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
    if (label === GRAPHIC_CONTROL) {
      output.push(input.subarray(at, end));
    } else if (label === APPLICATION) {
      const idAt = at + 3;
      const id = input[at + 2] === APPLICATION_ID_SIZE ? String.fromCharCode(...input.subarray(idAt, idAt + APPLICATION_ID_SIZE)) : '';
      if (LOOPING.includes(id)) {
        output.push(input.subarray(at, end));
      } else if (id === ICC_ID && options.keepColorProfile) {
        output.push(input.subarray(at, end));
        kept.push({ kind: 'icc', container: 'application', offset: at, length: end - at, label: ICC_ID });
      } else if (id === ICC_ID) {
        drop('icc', 'application', at, end, ICC_ID);
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
