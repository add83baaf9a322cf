/**
 * Plain test-side readers of the ICC profile a JPEG or GIF carries,
 * independent of the core: the JPEG's APP2 `ICC_PROFILE` segments before the
 * first scan (ICC.1:2022 Annex B.4) put together by sequence number, the way
 * libjpeg's `jpeg_read_icc_profile()` does; a GIF's `ICCRGBG1012` extension
 * (Annex B.6) with its data sub-blocks joined.
 */

export interface CarriedProfile {
  /** The profile bytes, put together. */
  profile: Buffer;
  /** How it was carried: [sequence number, count, profile bytes] per JPEG segment in file order; the size of each GIF sub-block. */
  pieces: number[][];
}

/** The JPEG's ICC profile, or `undefined` when it has no ICC_PROFILE segment; throws on a set libjpeg would refuse. */
export function jpegIccProfile(bytes: Uint8Array): CarriedProfile | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pieces: number[][] = [];
  const data: Buffer[] = [];
  for (let at = 2; at + 4 <= b.length && b[at] === 0xff; ) {
    const marker = b[at + 1];
    if (marker === 0xda || marker === 0xd9) break; // SOS, EOI
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    const length = b.readUInt16BE(at + 2);
    if (marker === 0xe2 && b.toString('latin1', at + 4, at + 16) === 'ICC_PROFILE\0') {
      pieces.push([b[at + 16], b[at + 17], length - 16]);
      data.push(b.subarray(at + 18, at + 2 + length));
    }
    at += 2 + length;
  }
  if (pieces.length === 0) return undefined;
  const count = pieces[0][1];
  const sequences = pieces.map(([sequence]) => sequence).sort((x, y) => x - y);
  if (pieces.some(([, n]) => n !== count) || sequences.join() !== Array.from({ length: count }, (_, i) => i + 1).join()) {
    throw new Error(`ICC_PROFILE segments are not 1..N of N: ${JSON.stringify(pieces.map(([s, n]) => [s, n]))}`);
  }
  const ordered = pieces.map((piece, i) => ({ sequence: piece[0], data: data[i] })).sort((x, y) => x.sequence - y.sequence);
  return { profile: Buffer.concat(ordered.map((piece) => piece.data)), pieces };
}

/** The GIF's ICCRGBG1012 profile, or `undefined` when it has none (GIF89a block structure walked plainly). */
export function gifIccProfile(bytes: Uint8Array): CarriedProfile | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const table = (packed: number) => (packed & 0x80 ? 3 << ((packed & 7) + 1) : 0);
  const skipSubBlocks = (from: number, sizes?: number[], out?: Buffer[]) => {
    let at = from;
    while (b[at] !== 0) {
      sizes?.push(b[at]);
      out?.push(b.subarray(at + 1, at + 1 + b[at]));
      at += 1 + b[at];
    }
    return at + 1;
  };
  for (let at = 13 + table(b[10]); at < b.length && b[at] !== 0x3b; ) {
    if (b[at] === 0x2c) {
      at = skipSubBlocks(at + 10 + table(b[at + 9]) + 1);
    } else if (b[at] === 0x21 && b[at + 1] === 0xff && b[at + 2] === 11 && b.toString('latin1', at + 3, at + 14) === 'ICCRGBG1012') {
      const sizes: number[] = [];
      const data: Buffer[] = [];
      skipSubBlocks(at + 14, sizes, data);
      return { profile: Buffer.concat(data), pieces: [sizes] };
    } else if (b[at] === 0x21) {
      at = skipSubBlocks(at + 2);
    } else {
      throw new Error(`unexpected GIF block 0x${b[at].toString(16)} at ${at}`);
    }
  }
  return undefined;
}
