/**
 * A plain test-side ICC profile reader (ICC.1:2022 7.2, 7.3), independent of
 * the core: the header fields and each tag's data by signature.
 */
export interface IccTag {
  signature: string;
  offset: number;
  size: number;
  data: Buffer;
}

export interface IccProfile {
  size: number;
  version: number;
  deviceClass: string;
  colourSpace: string;
  pcs: string;
  header: Buffer;
  tags: IccTag[];
}

/** Parses a profile; throws on anything out of bounds. */
export function readIcc(bytes: Uint8Array): IccProfile {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 132) throw new Error('shorter than a header and tag count');
  const size = b.readUInt32BE(0);
  if (size !== b.length) throw new Error(`size field ${size}, profile ${b.length}`);
  if (b.toString('latin1', 36, 40) !== 'acsp') throw new Error('no acsp');
  const count = b.readUInt32BE(128);
  if (132 + count * 12 > b.length) throw new Error('tag table past the end');
  const tags: IccTag[] = [];
  for (let i = 0; i < count; i++) {
    const at = 132 + i * 12;
    const offset = b.readUInt32BE(at + 4);
    const tagSize = b.readUInt32BE(at + 8);
    if (offset + tagSize > b.length) throw new Error(`tag ${i} past the end`);
    tags.push({ signature: b.toString('latin1', at, at + 4), offset, size: tagSize, data: b.subarray(offset, offset + tagSize) });
  }
  return {
    size,
    version: b[8],
    deviceClass: b.toString('latin1', 12, 16),
    colourSpace: b.toString('latin1', 16, 20),
    pcs: b.toString('latin1', 20, 24),
    header: b.subarray(0, 128),
    tags,
  };
}

/** A tag's data by signature. */
export function iccTag(profile: IccProfile, signature: string): Buffer | undefined {
  return profile.tags.find((t) => t.signature === signature)?.data;
}

/** Every profile inside `bytes` found by its `acsp` signature at byte 36 with a matching size field. */
export function findIccProfiles(bytes: Uint8Array): IccProfile[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: IccProfile[] = [];
  for (let at = b.indexOf('acsp'); at >= 36; at = b.indexOf('acsp', at + 1)) {
    const start = at - 36;
    const size = b.readUInt32BE(start);
    if (size < 132 || start + size > b.length) continue;
    try {
      out.push(readIcc(b.subarray(start, start + size)));
    } catch {
      // not a profile
    }
  }
  return out;
}
