/**
 * WebP (RIFF) container walker, per the WebP Container Specification (RFC 9649).
 *
 * Positions: a chunk's `offset` is where its FourCC starts, its `length` is
 * the whole chunk (FourCC + size + payload + padding byte).
 *
 * Kept: VP8X (flags rewritten to what the output holds), ICCP (when asked),
 * ANIM, ANMF (rebuilt without unknown sub-chunks), ALPH, VP8, VP8L; a fresh
 * orientation-only EXIF chunk (when asked and not 1). Removed: EXIF, XMP,
 * every unknown chunk, and every byte after the RIFF size.
 */
import { fourCC, hasAscii, u32le } from '../bytes/read.js';
import { asciiBytes, ByteSink, writeU32le } from '../bytes/write.js';
import { SanitizeError } from '../errors.js';
import { readOrientation, isOrientationOnlyTiff, writeOrientationTiff } from '../metadata/exif.js';
import { keepIccProfile } from '../metadata/icc.js';
import type { ResolvedOptions } from '../options.js';
import type { MetadataItem } from '../types.js';
import type { FormatHandler, Plan } from './handler.js';

const RIFF_HEADER_SIZE = 12; // "RIFF" size "WEBP"
const CHUNK_HEADER_SIZE = 8; // FourCC + little-endian size
const VP8X_SIZE = 10; // 2.7.1: flags (1) + reserved (3) + canvas width-1 (3) + canvas height-1 (3)
const ANIM_SIZE = 6; // 2.7.1.1: background colour (4) + loop count (2)
const ANMF_HEADER_SIZE = 16; // 2.7.1.1: X, Y, width-1, height-1 (3 each), duration (3), flags (1)

// VP8X flags (byte 0): Rsv Rsv I L E X A R
const FLAG_ICC = 0x20;
const FLAG_ALPHA = 0x10;
const FLAG_EXIF = 0x08; // the XMP flag (0x04) is always cleared: no XMP is ever written
const FLAG_ANIMATION = 0x02;

/** Chunks that carry the picture itself. */
const IMAGE_CHUNKS = new Set(['VP8 ', 'VP8L', 'ALPH']);

interface Chunk {
  type: string;
  offset: number; // where the FourCC starts
  start: number; // payload start
  size: number; // payload size
  end: number; // past the padding byte
}

function fail(code: 'TRUNCATED' | 'MALFORMED' | 'UNSUPPORTED_FORMAT', message: string, offset: number): never {
  throw new SanitizeError(code, message, { format: 'webp', offset });
}

/** Reads the chunk at `at` inside `[at, limit)`. */
function chunkAt(input: Uint8Array, at: number, limit: number): Chunk {
  if (at + CHUNK_HEADER_SIZE > limit) fail('TRUNCATED', 'Chunk header runs past the end of its container', at);
  const type = fourCC(input, at);
  const size = u32le(input, at + 4);
  const start = at + CHUNK_HEADER_SIZE;
  const end = start + size + (size & 1);
  // The padding byte of the very last chunk is sometimes missing in the wild; the payload itself must be there.
  if (start + size > limit) fail('TRUNCATED', `${type.trim()} chunk runs past the end of its container`, at);
  return { type, offset: at, start, size, end: Math.min(end, limit) };
}

const PADDING = new Uint8Array(1); // a zero byte

/** Copies a chunk as it is, except its padding byte, which is written as zero whatever the input held. */
function pushChunk(sink: ByteSink, input: Uint8Array, c: Chunk): void {
  sink.push(input.subarray(c.offset, c.start + c.size));
  if (c.size & 1) sink.push(PADDING);
}

/** A chunk we write: FourCC, size, payload, padding. */
function chunk(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(CHUNK_HEADER_SIZE + payload.length + (payload.length & 1));
  out.set(asciiBytes(type));
  writeU32le(out, 4, payload.length);
  out.set(payload, CHUNK_HEADER_SIZE);
  return out;
}

function walk(input: Uint8Array, options: ResolvedOptions): Plan {
  const n = input.length;
  if (!hasAscii(input, 0, 'RIFF') || !hasAscii(input, 8, 'WEBP')) fail('UNSUPPORTED_FORMAT', 'Not a WebP file', 0);
  const riffEnd = 8 + u32le(input, 4);
  if (riffEnd > n) fail('TRUNCATED', 'The RIFF size runs past the end of the input', 4);
  if (riffEnd < RIFF_HEADER_SIZE + CHUNK_HEADER_SIZE) fail('MALFORMED', 'The RIFF holds no chunk', 4);

  const removed: MetadataItem[] = [];
  const kept: MetadataItem[] = [];
  const body = new ByteSink();
  let vp8x: Chunk | undefined;
  let hasImage = false;
  let hasIcc = false;
  let orientation: number | undefined;
  let exifOffset = 0;
  let ownOrientation = false;

  for (let at = RIFF_HEADER_SIZE; at < riffEnd; ) {
    const c = chunkAt(input, at, riffEnd);
    const item = { container: c.type.replace(/[^\x21-\x7e]/g, '').padEnd(1, '?'), offset: c.offset, length: c.end - c.offset };
    if (c.offset === RIFF_HEADER_SIZE && c.type === 'VP8X') {
      if (c.size < VP8X_SIZE) fail('MALFORMED', 'VP8X chunk is too short', c.offset);
      vp8x = c;
    } else if (c.type === 'VP8X') {
      fail('MALFORMED', 'VP8X is not the first chunk', c.offset);
    } else if (c.type === 'ANIM') {
      // Only its fields are copied: bytes after them would ride along.
      if (c.size < ANIM_SIZE) fail('MALFORMED', 'ANIM chunk is too short', c.offset);
      body.push(chunk('ANIM', input.subarray(c.start, c.start + ANIM_SIZE)));
      if (c.size !== ANIM_SIZE) removed.push({ kind: 'unknown', ...item, label: 'bytes after ANIM fields' });
    } else if (IMAGE_CHUNKS.has(c.type)) {
      if (c.type !== 'ALPH') hasImage = true;
      pushChunk(body, input, c);
    } else if (c.type === 'ANMF') {
      pushFrame(body, input, c, removed);
      hasImage = true;
    } else if (c.type === 'ICCP' && options.keepColorProfile && vp8x !== undefined && !hasIcc) {
      const profile = keepIccProfile(input, c.start, c.start + c.size, { verbatim: options.keepColorProfileVerbatim });
      if ('refused' in profile) {
        removed.push({ kind: 'icc', ...item, label: `ICCP, ${profile.refused}` });
      } else {
        hasIcc = true;
        body.push(chunk('ICCP', profile.bytes));
        kept.push({ kind: 'icc', ...item });
        if (profile.removed.length > 0) removed.push({ kind: 'text', ...item, label: `ICC profile: ${profile.removed.join(', ')}` });
      }
    } else if (c.type === 'EXIF') {
      // Some writers put the JPEG-style `Exif\0\0` prefix in front of the TIFF structure.
      const tiff = hasAscii(input, c.start, 'Exif\0\0') ? c.start + 6 : c.start;
      if (orientation === undefined) {
        exifOffset = c.offset;
        orientation = readOrientation(input, tiff, c.start + c.size);
        ownOrientation = options.keepOrientation && isOrientationOnlyTiff(input, tiff, c.start + c.size);
      }
      if (!(ownOrientation && c.offset === exifOffset)) removed.push({ kind: 'exif', ...item, label: 'EXIF' });
    } else if (c.type === 'XMP ') {
      removed.push({ kind: 'xmp', ...item, label: 'XMP' });
    } else if (c.type === 'ICCP') {
      removed.push({ kind: 'icc', ...item });
    } else {
      removed.push({ kind: 'unknown', ...item });
    }
    at = c.end;
  }
  if (!hasImage) fail('MALFORMED', 'The WebP holds no image data', RIFF_HEADER_SIZE);
  if (riffEnd < n) removed.push({ kind: 'trailer', container: 'trailer', offset: riffEnd, length: n - riffEnd, label: 'data after the RIFF' });

  const output = new ByteSink();
  const header = new Uint8Array(RIFF_HEADER_SIZE);
  header.set(asciiBytes('RIFF'));
  header.set(asciiBytes('WEBP'), 8);
  output.push(header);
  let exif: Uint8Array | undefined;
  if (vp8x !== undefined) {
    const flagsIn = input[vp8x.start];
    if (options.keepOrientation && orientation !== undefined && orientation !== 1) {
      exif = chunk('EXIF', writeOrientationTiff(orientation));
      kept.push({ kind: 'orientation', container: 'EXIF', offset: exifOffset, length: exif.length, label: `Orientation ${orientation}` });
    }
    const flags = (flagsIn & (FLAG_ALPHA | FLAG_ANIMATION)) | (hasIcc ? FLAG_ICC : 0) | (exif ? FLAG_EXIF : 0);
    const payload = input.slice(vp8x.start, vp8x.start + VP8X_SIZE);
    payload[0] = flags;
    payload[1] = payload[2] = payload[3] = 0; // reserved
    output.push(chunk('VP8X', payload));
    if (vp8x.size !== VP8X_SIZE) {
      removed.push({ kind: 'unknown', container: 'VP8X', offset: vp8x.offset, length: vp8x.end - vp8x.offset, label: 'bytes after VP8X fields' });
    }
  }
  output.pushAll(body);
  if (exif) output.push(exif);
  const riffSize = output.length - 8;
  writeU32le(header, 4, riffSize);
  const plan: Plan = { output, removed, kept };
  if (orientation !== undefined) plan.orientation = orientation;
  return plan;
}

/**
 * An ANMF frame, rebuilt from views: its 16-byte header and its image
 * sub-chunks (padding zeroed); any other sub-chunk is removed.
 */
function pushFrame(sink: ByteSink, input: Uint8Array, anmf: Chunk, removed: MetadataItem[]): void {
  const payloadEnd = anmf.start + anmf.size;
  if (anmf.size < ANMF_HEADER_SIZE) fail('MALFORMED', 'ANMF chunk is too short', anmf.offset);
  const parts = new ByteSink();
  for (let at = anmf.start + ANMF_HEADER_SIZE; at < payloadEnd; ) {
    const c = chunkAt(input, at, payloadEnd);
    if (IMAGE_CHUNKS.has(c.type)) {
      pushChunk(parts, input, c);
    } else {
      removed.push({ kind: 'unknown', container: `ANMF/${c.type.replace(/[^\x21-\x7e]/g, '')}`, offset: c.offset, length: c.end - c.offset });
    }
    at = c.end;
  }
  const header = new Uint8Array(CHUNK_HEADER_SIZE);
  header.set(asciiBytes('ANMF'));
  writeU32le(header, 4, ANMF_HEADER_SIZE + parts.length); // sub-chunks are padded: always even
  sink.push(header);
  sink.push(input.subarray(anmf.start, anmf.start + ANMF_HEADER_SIZE));
  sink.pushAll(parts);
}

export const webp: FormatHandler = {
  format: 'webp',
  plan: walk,
};
