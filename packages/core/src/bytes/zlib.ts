/**
 * A small, bounded zlib (RFC 1950) reader over DEFLATE (RFC 1951), and a
 * writer that uses stored blocks only. For one purpose: a PNG iCCP chunk's
 * profile is zlib-compressed (PNG 11.3.3.3), and the ICC judge needs the
 * profile's bytes. Output is capped by the caller (`maxSize`), every read is
 * bounds-checked and every loop consumes input or produces capped output,
 * so hostile streams cost linear time.
 */

const MAX_BITS = 15;
const STORED = 0;
const FIXED = 1;
const DYNAMIC = 2;
const END_OF_BLOCK = 256;
/** RFC 1951 3.2.5: base lengths and extra bits of length codes 257..285, base distances and extra bits of codes 0..29. */
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** RFC 1951 3.2.7: the order in which code length code lengths are sent. */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Why a stream could not be read. */
export class InflateError extends Error {}

class BitReader {
  private bit = 0;
  constructor(
    private readonly bytes: Uint8Array,
    public at: number,
    private readonly end: number,
  ) {}

  bits(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      if (this.at >= this.end) throw new InflateError('the stream ends early');
      value |= ((this.bytes[this.at] >> this.bit) & 1) << i;
      if (++this.bit === 8) {
        this.bit = 0;
        this.at++;
      }
    }
    return value;
  }

  /** Skips to the next byte boundary. */
  align(): void {
    if (this.bit !== 0) {
      this.bit = 0;
      this.at++;
    }
  }
}

/** A canonical Huffman code (RFC 1951 3.2.2): counts per length and symbols in code order. */
interface Huffman {
  counts: Uint16Array;
  symbols: Uint16Array;
}

function huffman(lengths: ArrayLike<number>): Huffman {
  const counts = new Uint16Array(MAX_BITS + 1);
  for (let i = 0; i < lengths.length; i++) counts[lengths[i]]++;
  counts[0] = 0;
  let left = 1;
  for (let len = 1; len <= MAX_BITS; len++) {
    left = left * 2 - counts[len];
    if (left < 0) throw new InflateError('an over-subscribed Huffman code');
  }
  const offsets = new Uint16Array(MAX_BITS + 2);
  for (let len = 1; len <= MAX_BITS; len++) offsets[len + 1] = offsets[len] + counts[len];
  const symbols = new Uint16Array(lengths.length);
  for (let i = 0; i < lengths.length; i++) if (lengths[i] !== 0) symbols[offsets[lengths[i]]++] = i;
  return { counts, symbols };
}

function decodeSymbol(reader: BitReader, code: Huffman): number {
  let first = 0;
  let index = 0;
  let value = 0;
  for (let len = 1; len <= MAX_BITS; len++) {
    value |= reader.bits(1);
    const count = code.counts[len];
    if (value - first < count) return code.symbols[index + value - first];
    index += count;
    first = (first + count) << 1;
    value <<= 1;
  }
  throw new InflateError('an invalid Huffman code');
}

let fixedCodes: { literals: Huffman; distances: Huffman } | undefined;
function fixed(): { literals: Huffman; distances: Huffman } {
  if (fixedCodes === undefined) {
    const lengths = new Uint8Array(288);
    lengths.fill(8, 0, 144);
    lengths.fill(9, 144, 256);
    lengths.fill(7, 256, 280);
    lengths.fill(8, 280, 288);
    fixedCodes = { literals: huffman(lengths), distances: huffman(new Uint8Array(30).fill(5)) };
  }
  return fixedCodes;
}

function dynamic(reader: BitReader): { literals: Huffman; distances: Huffman } {
  const literalCount = reader.bits(5) + 257;
  const distanceCount = reader.bits(5) + 1;
  const codeLengthCount = reader.bits(4) + 4;
  if (literalCount > 286 || distanceCount > 30) throw new InflateError('too many codes');
  const codeLengths = new Uint8Array(19);
  for (let i = 0; i < codeLengthCount; i++) codeLengths[CODE_LENGTH_ORDER[i]] = reader.bits(3);
  const lengthCode = huffman(codeLengths);
  const lengths = new Uint8Array(literalCount + distanceCount);
  for (let i = 0; i < lengths.length; ) {
    const symbol = decodeSymbol(reader, lengthCode);
    if (symbol < 16) {
      lengths[i++] = symbol;
      continue;
    }
    let repeat: number;
    let value = 0;
    if (symbol === 16) {
      if (i === 0) throw new InflateError('a repeat with nothing before it');
      value = lengths[i - 1];
      repeat = 3 + reader.bits(2);
    } else if (symbol === 17) {
      repeat = 3 + reader.bits(3);
    } else {
      repeat = 11 + reader.bits(7);
    }
    if (i + repeat > lengths.length) throw new InflateError('code lengths overflow');
    lengths.fill(value, i, i + repeat);
    i += repeat;
  }
  if (lengths[END_OF_BLOCK] === 0) throw new InflateError('no end-of-block code');
  return { literals: huffman(lengths.subarray(0, literalCount)), distances: huffman(lengths.subarray(literalCount)) };
}

/** Appends bytes up to a cap. */
class Output {
  bytes: Uint8Array;
  length = 0;
  constructor(private readonly max: number) {
    this.bytes = new Uint8Array(Math.min(max, 1024));
  }
  push(value: number): void {
    if (this.length >= this.bytes.length) this.grow();
    this.bytes[this.length++] = value;
  }
  private grow(): void {
    if (this.length >= this.max) throw new InflateError(`the stream inflates to more than ${this.max} bytes`);
    const next = new Uint8Array(Math.min(this.max, this.bytes.length * 2));
    next.set(this.bytes);
    this.bytes = next;
  }
}

/**
 * Inflates the zlib stream `bytes[start..end)`, which must hold exactly one
 * stream (header, DEFLATE blocks, Adler-32) and nothing after it. Throws
 * `InflateError` when it is not one, or inflates to more than `maxSize`.
 */
export function inflateZlib(bytes: Uint8Array, start: number, end: number, maxSize: number): Uint8Array {
  if (end - start < 6) throw new InflateError('shorter than a zlib stream');
  const cmf = bytes[start];
  const flg = bytes[start + 1];
  // RFC 1950 2.2: method 8 (deflate), window up to 32 KiB, check bits, no preset dictionary.
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0 || (flg & 0x20) !== 0) throw new InflateError('not a zlib header');
  const reader = new BitReader(bytes, start + 2, end);
  const out = new Output(maxSize);
  for (let last = 0; last === 0; ) {
    last = reader.bits(1);
    const type = reader.bits(2);
    if (type === STORED) {
      reader.align();
      const at = reader.at;
      if (at + 4 > end) throw new InflateError('the stream ends early');
      const length = bytes[at] | (bytes[at + 1] << 8);
      if ((length ^ (bytes[at + 2] | (bytes[at + 3] << 8))) !== 0xffff) throw new InflateError('a stored block length does not match its complement');
      if (at + 4 + length > end) throw new InflateError('the stream ends early');
      for (let i = 0; i < length; i++) out.push(bytes[at + 4 + i]);
      reader.at = at + 4 + length;
    } else if (type === FIXED || type === DYNAMIC) {
      const { literals, distances } = type === FIXED ? fixed() : dynamic(reader);
      for (;;) {
        const symbol = decodeSymbol(reader, literals);
        if (symbol < END_OF_BLOCK) {
          out.push(symbol);
          continue;
        }
        if (symbol === END_OF_BLOCK) break;
        const index = symbol - 257;
        if (index >= LENGTH_BASE.length) throw new InflateError('an invalid length code');
        const length = LENGTH_BASE[index] + reader.bits(LENGTH_EXTRA[index]);
        const code = decodeSymbol(reader, distances);
        if (code >= DIST_BASE.length) throw new InflateError('an invalid distance code');
        const distance = DIST_BASE[code] + reader.bits(DIST_EXTRA[code]);
        if (distance > out.length) throw new InflateError('a distance before the start');
        for (let i = 0; i < length; i++) out.push(out.bytes[out.length - distance]);
      }
    } else {
      throw new InflateError('a reserved block type');
    }
  }
  reader.align();
  const at = reader.at;
  if (at + 4 !== end) throw new InflateError(at + 4 > end ? 'the stream ends early' : 'bytes after the stream');
  const result = out.bytes.slice(0, out.length);
  const expected = ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
  if (adler32(result) !== expected) throw new InflateError('the Adler-32 checksum does not match');
  return result;
}

/** RFC 1950 8.2. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; ) {
    const stop = Math.min(bytes.length, i + 5552); // largest run before the sums must be reduced
    for (; i < stop; i++) {
      a += bytes[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const STORED_MAX = 0xffff;

/** `data` as a zlib stream of stored (uncompressed) DEFLATE blocks: valid for every inflater, no compression. */
export function deflateStored(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / STORED_MAX));
  const out = new Uint8Array(2 + blocks * 5 + data.length + 4);
  out[0] = 0x78; // CMF: deflate, 32 KiB window
  out[1] = 0x01; // FLG: fastest, check bits (0x7801 % 31 === 0)
  let at = 2;
  for (let b = 0; b < blocks; b++) {
    const from = b * STORED_MAX;
    const length = Math.min(STORED_MAX, data.length - from);
    out[at++] = b === blocks - 1 ? 1 : 0; // BFINAL, BTYPE 00
    out[at++] = length & 0xff;
    out[at++] = length >> 8;
    out[at++] = ~length & 0xff;
    out[at++] = (~length >> 8) & 0xff;
    out.set(data.subarray(from, from + length), at);
    at += length;
  }
  const check = adler32(data);
  out[at] = check >>> 24;
  out[at + 1] = (check >>> 16) & 0xff;
  out[at + 2] = (check >>> 8) & 0xff;
  out[at + 3] = check & 0xff;
  return out;
}
