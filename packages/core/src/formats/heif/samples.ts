/**
 * A track's sample tables (ISO/IEC 14496-12 8.6, 8.7): where each chunk of
 * samples lies in the file. Every table must be filled exactly by its fields
 * and agree with the others on the number of samples; the cost is linear in
 * the tables' sizes (a constant sample size is multiplied, never iterated).
 *
 * Positions: a chunk's `start` is its offset in the input (`stco`/`co64`),
 * `end` one past its last sample.
 */
import { type Box, type Fail, printableType } from './box.js';
import { Cursor, type Extent } from './items.js';

/** Entries of a `stsz`/`stz2` table and of the chunk tables a track may have: bounded by the box sizes, and this. */
export const MAX_CHUNKS = 1_000_000;

export interface SampleTableBoxes {
  stsz: Box;
  stsc: Box;
  stco: Box;
  stts: Box;
  ctts: Box | undefined;
  stss: Box | undefined;
}

/** Sample sizes: one size for every sample, or one per sample. */
interface SampleSizes {
  count: number;
  constant: number;
  sizes: number[];
}

const STZ2_FIELD_SIZES = [4, 8, 16]; // 8.7.3.3.2: field_size

/** 8.7.3.2 `stsz` and 8.7.3.3 `stz2`. */
function readSampleSizes(input: Uint8Array, box: Box, fail: Fail): SampleSizes {
  const c = new Cursor(input, box, fail);
  c.fullBox();
  if (box.type === 'stsz') {
    const constant = c.u32();
    const count = c.u32();
    const sizes: number[] = [];
    if (constant === 0) {
      if (count > (box.end - c.at) / 4) fail('MALFORMED', 'stsz declares more samples than it holds', box.offset);
      for (let i = 0; i < count; i++) sizes.push(c.u32());
    }
    c.done();
    return { count, constant, sizes };
  }
  c.u16(); // reserved (24 bits with the next byte)
  c.u8();
  const field = c.u8();
  if (!STZ2_FIELD_SIZES.includes(field)) fail('MALFORMED', `stz2 field size ${field} is not 4, 8 or 16`, box.offset);
  const count = c.u32();
  const bytes = Math.ceil((count * field) / 8);
  if (bytes !== box.end - c.at) fail('MALFORMED', 'stz2 entries do not fill the box', box.offset);
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = c.at + ((i * field) >> 3);
    if (field === 16) sizes.push((input[at] << 8) | input[at + 1]);
    else if (field === 8) sizes.push(input[at]);
    else sizes.push(i % 2 === 0 ? input[at] >> 4 : input[at] & 0x0f);
  }
  return { count, constant: 0, sizes };
}

/** 8.7.5 `stco` (32-bit) and `co64` (64-bit) chunk offsets. */
function readChunkOffsets(input: Uint8Array, box: Box, fail: Fail): number[] {
  const c = new Cursor(input, box, fail);
  c.fullBox();
  const count = c.u32();
  const size = box.type === 'co64' ? 8 : 4;
  if (count > MAX_CHUNKS) fail('LIMIT_EXCEEDED', `More than ${MAX_CHUNKS} chunks in a track`, box.offset);
  if (count * size !== box.end - c.at) fail('MALFORMED', `${box.type} entries do not fill the box`, box.offset);
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) {
    const offset = c.uint(size);
    // u64be reads a value past 2^53 as Infinity: such a chunk would look empty and escape the mdat check.
    if (!Number.isSafeInteger(offset)) fail('MALFORMED', 'A co64 chunk offset lies beyond 2^53', box.offset);
    offsets.push(offset);
  }
  return offsets;
}

/** 8.6.1.2 `stts` and 8.6.1.3 `ctts`: (sample_count, value) pairs whose counts add up to the track's samples. */
function checkRunTable(input: Uint8Array, box: Box, samples: number, fail: Fail): void {
  const c = new Cursor(input, box, fail);
  c.fullBox();
  const count = c.u32();
  if (count * 8 !== box.end - c.at) fail('MALFORMED', `${box.type} entries do not fill the box`, box.offset);
  let total = 0;
  for (let i = 0; i < count; i++) {
    total += c.u32();
    c.u32();
  }
  if (total !== samples) fail('MALFORMED', `${box.type} describes ${total} samples, the track has ${samples}`, box.offset);
}

/** 8.6.2 `stss`: increasing sample numbers, each a sample of the track. */
function checkSyncSamples(input: Uint8Array, box: Box, samples: number, fail: Fail): void {
  const c = new Cursor(input, box, fail);
  c.fullBox();
  const count = c.u32();
  if (count * 4 !== box.end - c.at) fail('MALFORMED', 'stss entries do not fill the box', box.offset);
  for (let i = 0, last = 0; i < count; i++) {
    const sample = c.u32();
    if (sample <= last || sample > samples) fail('MALFORMED', 'stss sample numbers are not increasing sample numbers of the track', box.offset);
    last = sample;
  }
}

/**
 * Where every chunk lies (in table order; an empty chunk has `end ===
 * start`), from `stsc` (8.7.4: runs of chunks with the same
 * number of samples), the sample sizes and the chunk offsets. The samples of
 * all chunks must be exactly the samples `stsz` counts.
 */
export function readChunks(input: Uint8Array, boxes: SampleTableBoxes, descriptions: number, fail: Fail): Extent[] {
  const sizes = readSampleSizes(input, boxes.stsz, fail);
  const offsets = readChunkOffsets(input, boxes.stco, fail);
  checkRunTable(input, boxes.stts, sizes.count, fail);
  if (boxes.ctts) checkRunTable(input, boxes.ctts, sizes.count, fail);
  if (boxes.stss) checkSyncSamples(input, boxes.stss, sizes.count, fail);

  const { stsc } = boxes;
  const c = new Cursor(input, stsc, fail);
  c.fullBox();
  const runs = c.u32();
  if (runs * 12 !== stsc.end - c.at) fail('MALFORMED', 'stsc entries do not fill the box', stsc.offset);
  const firstChunks: number[] = [];
  const perChunk: number[] = [];
  for (let i = 0; i < runs; i++) {
    const first = c.u32();
    const samples = c.u32();
    const description = c.u32();
    const previous = firstChunks[i - 1] ?? 0;
    if (i === 0 ? first !== 1 : first <= previous) fail('MALFORMED', 'stsc first chunks are not increasing from 1', stsc.offset);
    if (first > offsets.length) fail('MALFORMED', 'stsc names a chunk past the chunk offset table', stsc.offset);
    if (description < 1 || description > descriptions) fail('MALFORMED', `stsc names sample description ${description}, stsd has ${descriptions}`, stsc.offset);
    firstChunks.push(first);
    perChunk.push(samples);
  }
  if (offsets.length > 0 && runs === 0) fail('MALFORMED', 'stsc is empty but the track has chunks', stsc.offset);

  const extents: Extent[] = [];
  let sample = 0;
  for (let chunk = 0, run = 0; chunk < offsets.length; chunk++) {
    if (run + 1 < runs && firstChunks[run + 1] === chunk + 1) run++;
    const samples = perChunk[run];
    if (samples > sizes.count - sample) fail('MALFORMED', `${printableType(stsc.type)} puts more samples in chunks than stsz counts`, stsc.offset);
    let length = samples * sizes.constant;
    if (sizes.constant === 0) for (let i = sample; i < sample + samples; i++) length += sizes.sizes[i];
    sample += samples;
    extents.push({ start: offsets[chunk], end: offsets[chunk] + length });
  }
  if (sample !== sizes.count) fail('MALFORMED', `The chunks hold ${sample} samples, stsz counts ${sizes.count}`, stsc.offset);
  return extents;
}
