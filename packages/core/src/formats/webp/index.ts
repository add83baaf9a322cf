/**
 * WebP (RIFF) container walker, per the WebP Container Specification (RFC 9649).
 *
 * Positions: a chunk's `offset` is where its FourCC starts, its `length` is
 * the whole chunk (FourCC + size + payload + padding byte).
 *
 * What stays is data in allowlist.ts: VP8X (flags rewritten to what the
 * output holds), ICCP (when asked), ANIM, ANMF (rebuilt without unknown
 * sub-chunks), ALPH, VP8, VP8L; a fresh orientation-only EXIF chunk (when
 * asked and not 1). Removed: EXIF, XMP, every unknown chunk, and every byte
 * after the RIFF size.
 *
 * Not incremental: the RIFF size at byte 4 is the output's size, known only
 * once every chunk has been read, and the VP8X flags depend on what follows.
 * `SanitizeStream` holds a WebP whole, up to `MAX_BUFFERED_BYTES`.
 */
import { fourCC, hasAscii, u32le } from '../../bytes/read.js';
import { asciiBytes, ByteSink, writeU32le } from '../../bytes/write.js';
import { isOrientationOnlyTiff, readOrientation, writeOrientationTiff } from '../../metadata/exif.js';
import { keepIccProfile } from '../../metadata/icc.js';
import type { ResolvedOptions } from '../../options.js';
import { type Fail, Findings } from '../findings.js';
import type { FormatHandler, Plan } from '../handler.js';
import { KEPT_CHUNKS, NAMED_CHUNKS } from './allowlist.js';

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

const isImageChunk = (type: string) => KEPT_CHUNKS.get(type)?.rule === 'image';

/** The FourCC as the report names it: printable characters only (no regular expression: floods of chunks stay cheap). */
function printableType(type: string): string {
  let out = '';
  for (let i = 0; i < type.length; i++) {
    const c = type.charCodeAt(i);
    if (c > 0x20 && c < 0x7f) out += type[i];
  }
  return out;
}

interface Chunk {
  type: string;
  offset: number; // where the FourCC starts
  start: number; // payload start
  size: number; // payload size
  end: number; // past the padding byte
}

/** Reads the chunk at `at` inside `[at, limit)`. */
function chunkAt(input: Uint8Array, at: number, limit: number, fail: Fail): Chunk {
  if (at + CHUNK_HEADER_SIZE > limit) fail('TRUNCATED', 'Chunk header runs past the end of its container', at);
  const type = fourCC(input, at);
  const size = u32le(input, at + 4);
  const start = at + CHUNK_HEADER_SIZE;
  const end = start + size + (size & 1);
  // The padding byte of the very last chunk is sometimes missing in the wild; the payload itself must be there.
  if (start + size > limit) fail('TRUNCATED', `${type.trim()} chunk runs past the end of its container`, at);
  return { type, offset: at, start, size, end: Math.min(end, limit) };
}

const PADDING = /* @__PURE__ */ new Uint8Array(1); // a zero byte

/** Copies a chunk as it is, except its padding byte, which is written as zero whatever the input held. */
function pushChunk(sink: ByteSink, input: Uint8Array, c: Chunk): void {
  sink.copy(input, c.offset, c.start + c.size);
  if (c.size & 1) sink.write(PADDING);
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
  const f = new Findings('webp');
  const { fail } = f;
  const n = input.length;
  if (!hasAscii(input, 0, 'RIFF') || !hasAscii(input, 8, 'WEBP')) fail('UNSUPPORTED_FORMAT', 'Not a WebP file', 0);
  const riffEnd = 8 + u32le(input, 4);
  if (riffEnd > n) fail('TRUNCATED', 'The RIFF size runs past the end of the input', 4);
  if (riffEnd < RIFF_HEADER_SIZE + CHUNK_HEADER_SIZE) fail('MALFORMED', 'The RIFF holds no chunk', 4);

  const body = new ByteSink();
  let vp8x: Chunk | undefined;
  let hasImage = false;
  let hasIcc = false;
  let orientation: number | undefined;
  let exifOffset = 0;
  let ownOrientation = false;

  for (let at = RIFF_HEADER_SIZE; at < riffEnd; ) {
    const c = chunkAt(input, at, riffEnd, fail);
    const length = c.end - c.offset;
    const rule = KEPT_CHUNKS.get(c.type)?.rule;
    if (rule === 'vp8x') {
      if (c.offset !== RIFF_HEADER_SIZE) fail('MALFORMED', 'VP8X is not the first chunk', c.offset);
      if (c.size < VP8X_SIZE) fail('MALFORMED', 'VP8X chunk is too short', c.offset);
      vp8x = c;
    } else if (rule === 'fields') {
      // ANIM: only its fields are copied, bytes after them would ride along.
      if (c.size < ANIM_SIZE) fail('MALFORMED', 'ANIM chunk is too short', c.offset);
      body.write(chunk('ANIM', input.subarray(c.start, c.start + ANIM_SIZE)));
      if (c.size !== ANIM_SIZE) f.remove('unknown', 'ANIM', c.offset, length, 'bytes after ANIM fields');
    } else if (rule === 'image') {
      if (c.type !== 'ALPH') hasImage = true;
      pushChunk(body, input, c);
    } else if (rule === 'frame') {
      pushFrame(body, input, c, f);
      hasImage = true;
    } else if (rule === 'icc' && options.keepColorProfile && vp8x !== undefined && !hasIcc) {
      // The ICCP payload must be exactly one ICC profile (metadata/icc.ts), kept without its text.
      const profile = keepIccProfile(input, c.start, c.start + c.size, { verbatim: options.keepColorProfileVerbatim });
      if ('refused' in profile) {
        f.remove('icc', 'ICCP', c.offset, length, `ICCP, ${profile.refused}`);
      } else {
        hasIcc = true;
        body.write(chunk('ICCP', profile.bytes));
        f.keep('icc', 'ICCP', c.offset, length);
        if (profile.removed.length > 0) f.remove('text', 'ICCP', c.offset, length, `ICC profile: ${profile.removed.join(', ')}`);
      }
    } else {
      if (c.type === 'EXIF') {
        // Some writers put the JPEG-style `Exif\0\0` prefix in front of the TIFF structure.
        const tiff = hasAscii(input, c.start, 'Exif\0\0') ? c.start + 6 : c.start;
        if (orientation === undefined) {
          exifOffset = c.offset;
          orientation = readOrientation(input, tiff, c.start + c.size);
          ownOrientation = options.keepOrientation && isOrientationOnlyTiff(input, tiff, c.start + c.size);
        }
        if (ownOrientation && c.offset === exifOffset) {
          at = c.end;
          continue;
        }
      }
      const named = NAMED_CHUNKS.get(c.type);
      let runEnd = c.end;
      let count = 1;
      if (named === undefined) {
        // Unknown chunks of one FourCC back to back, in one loop: one report item, no per-chunk work.
        const code = u32le(input, c.offset);
        while (runEnd + CHUNK_HEADER_SIZE <= riffEnd && u32le(input, runEnd) === code) {
          const size = u32le(input, runEnd + 4);
          if (runEnd + CHUNK_HEADER_SIZE + size > riffEnd) break;
          runEnd = Math.min(runEnd + CHUNK_HEADER_SIZE + size + (size & 1), riffEnd);
          count++;
        }
      }
      f.remove(named?.kind ?? 'unknown', printableType(c.type) || '?', c.offset, runEnd - c.offset, named?.label, count);
      at = runEnd;
      continue;
    }
    at = c.end;
  }
  if (!hasImage) fail('MALFORMED', 'The WebP holds no image data', RIFF_HEADER_SIZE);
  if (riffEnd < n) f.remove('trailer', 'trailer', riffEnd, n - riffEnd, 'data after the RIFF');

  const output = new ByteSink();
  const header = new Uint8Array(RIFF_HEADER_SIZE);
  header.set(asciiBytes('RIFF'));
  header.set(asciiBytes('WEBP'), 8);
  output.write(header);
  let exif: Uint8Array | undefined;
  if (vp8x !== undefined) {
    const flagsIn = input[vp8x.start];
    if (options.keepOrientation && orientation !== undefined && orientation !== 1) {
      exif = chunk('EXIF', writeOrientationTiff(orientation));
      f.keep('orientation', 'EXIF', exifOffset, exif.length, `Orientation ${orientation}`);
    }
    const flags = (flagsIn & (FLAG_ALPHA | FLAG_ANIMATION)) | (hasIcc ? FLAG_ICC : 0) | (exif ? FLAG_EXIF : 0);
    const payload = input.slice(vp8x.start, vp8x.start + VP8X_SIZE);
    payload[0] = flags;
    payload[1] = payload[2] = payload[3] = 0; // reserved
    output.write(chunk('VP8X', payload));
    if (vp8x.size !== VP8X_SIZE) f.remove('unknown', 'VP8X', vp8x.offset, vp8x.end - vp8x.offset, 'bytes after VP8X fields');
  }
  output.pushAll(body);
  if (exif) output.write(exif);
  const riffSize = output.length - 8;
  writeU32le(header, 4, riffSize);
  const plan: Plan = { output, removed: f.removed, kept: f.kept };
  if (orientation !== undefined) plan.orientation = orientation;
  return plan;
}

/**
 * An ANMF frame, rebuilt from views: its 16-byte header and its image
 * sub-chunks (padding zeroed); any other sub-chunk is removed.
 */
function pushFrame(sink: ByteSink, input: Uint8Array, anmf: Chunk, f: Findings): void {
  const payloadEnd = anmf.start + anmf.size;
  if (anmf.size < ANMF_HEADER_SIZE) f.fail('MALFORMED', 'ANMF chunk is too short', anmf.offset);
  const parts = new ByteSink();
  for (let at = anmf.start + ANMF_HEADER_SIZE; at < payloadEnd; ) {
    const c = chunkAt(input, at, payloadEnd, f.fail);
    if (isImageChunk(c.type)) pushChunk(parts, input, c);
    else f.remove('unknown', `ANMF/${printableType(c.type)}`, c.offset, c.end - c.offset);
    at = c.end;
  }
  const header = new Uint8Array(CHUNK_HEADER_SIZE);
  header.set(asciiBytes('ANMF'));
  writeU32le(header, 4, ANMF_HEADER_SIZE + parts.length); // sub-chunks are padded: always even
  sink.write(header);
  sink.copy(input, anmf.start, anmf.start + ANMF_HEADER_SIZE);
  sink.pushAll(parts);
}

export const webp: FormatHandler = {
  format: 'webp',
  plan: walk,
};
