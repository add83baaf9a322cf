/**
 * ICC profiles with planted text, built test-side (ICC.1:2022 for v4,
 * ICC.1:2001-04 for v2): colour tags the sanitizer must keep byte for byte,
 * text tags and header fields it must not.
 */
const pad4 = (b: Buffer) => (b.length % 4 ? Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]) : b);
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
};
const u16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
};
const s15 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(Math.round(v * 65536));
  return b;
};

export const xyz = (x: number, y: number, z: number) => Buffer.concat([Buffer.from('XYZ '), u32(0), s15(x), s15(y), s15(z)]);
export const curv = (entries: number[]) => Buffer.concat([Buffer.from('curv'), u32(0), u32(entries.length), ...entries.map(u16)]);
export const para = (gamma: number) => Buffer.concat([Buffer.from('para'), u32(0), u16(0), u16(0), s15(gamma)]);
export const sf32 = (values: number[]) => Buffer.concat([Buffer.from('sf32'), u32(0), ...values.map(s15)]);
export const text = (value: string) => Buffer.concat([Buffer.from('text'), u32(0), Buffer.from(`${value}\0`, 'latin1')]);
export function desc(value: string): Buffer {
  const ascii = Buffer.from(`${value}\0`, 'latin1');
  return Buffer.concat([Buffer.from('desc'), u32(0), u32(ascii.length), ascii, u32(0), u32(0), u16(0), Buffer.alloc(1), Buffer.alloc(67)]);
}
export function mluc(value: string): Buffer {
  const utf16 = Buffer.from(value, 'utf16le').swap16();
  return Buffer.concat([Buffer.from('mluc'), u32(0), u32(1), u32(12), Buffer.from('enUS'), u32(utf16.length), u32(28), utf16]);
}
/** lut16Type (10.11): 3 inputs, 3 outputs, a 2-point grid, 2-entry input and output tables. */
export function mft2(): Buffer {
  const identity = [1, 0, 0, 0, 1, 0, 0, 0, 1].map(s15);
  const tables = (n: number) => Array.from({ length: n }, (_, i) => u16((i * 40503) & 0xffff));
  return Buffer.concat([Buffer.from('mft2'), u32(0), Buffer.from([3, 3, 2, 0]), ...identity, u16(2), u16(2), ...tables(3 * 2 + 8 * 3 + 3 * 2)]);
}

export type Tag = [signature: string, data: Buffer];

export interface ProfileSpec {
  version: 2 | 4;
  tags: Tag[];
  /** Tag signatures whose data is stored once and shared (the second and later point at the first). */
  share?: string[][];
  /** Header text: creation date year, creator, device manufacturer and model, platform, CMM (4 characters each). */
  planted?: { cmm: string; platform: string; manufacturer: string; model: string; creator: string; attributes: string };
}

/** The profile: header, tag table, tag data (4-byte aligned, shared where asked). */
export function buildProfile(spec: ProfileSpec): Buffer {
  const shareOf = new Map<string, string>();
  for (const group of spec.share ?? []) for (const sig of group.slice(1)) shareOf.set(sig, group[0]);
  const own = spec.tags.filter(([sig]) => !shareOf.has(sig));
  const tableSize = 4 + spec.tags.length * 12;
  const at = new Map<string, { offset: number; size: number }>();
  let offset = 128 + tableSize;
  const data: Buffer[] = [];
  for (const [sig, content] of own) {
    at.set(sig, { offset, size: content.length });
    const padded = pad4(content);
    data.push(padded);
    offset += padded.length;
  }
  const entries = spec.tags.map(([sig]) => {
    const where = at.get(shareOf.get(sig) ?? sig)!;
    return Buffer.concat([Buffer.from(sig, 'latin1'), u32(where.offset), u32(where.size)]);
  });
  const p = spec.planted;
  const header = Buffer.concat([
    u32(offset),
    Buffer.from(p?.cmm ?? '\0\0\0\0', 'latin1'),
    u32(spec.version === 4 ? 0x04400000 : 0x02400000),
    Buffer.from('mntrRGB XYZ '),
    u16(2031), u16(7), u16(4), u16(13), u16(37), u16(59), // creation date
    Buffer.from('acsp'),
    Buffer.from(p?.platform ?? '\0\0\0\0', 'latin1'),
    u32(0x00010001), // flags: embedded + a CMM-private bit
    Buffer.from(p?.manufacturer ?? '\0\0\0\0', 'latin1'),
    Buffer.from(p?.model ?? '\0\0\0\0', 'latin1'),
    Buffer.from(p?.attributes ?? '\0\0\0\0\0\0\0\0', 'latin1'),
    u32(1), // relative colorimetric
    s15(0.9642), s15(1.0), s15(0.8249),
    Buffer.from(p?.creator ?? '\0\0\0\0', 'latin1'),
    Buffer.alloc(44),
  ]);
  if (header.length !== 128) throw new Error(`header ${header.length}`);
  return Buffer.concat([header, u32(spec.tags.length), ...entries, ...data]);
}

/** Colour tags of an RGB display profile, with a shared TRC. */
export function colourTags(): Tag[] {
  const trc = curv([0, 1000, 5000, 20000, 65535]);
  return [
    ['wtpt', xyz(0.9642, 1, 0.8249)],
    ['rXYZ', xyz(0.4361, 0.2225, 0.0139)],
    ['gXYZ', xyz(0.3851, 0.7169, 0.0971)],
    ['bXYZ', xyz(0.1431, 0.0606, 0.7141)],
    ['rTRC', trc],
    ['gTRC', trc],
    ['bTRC', para(2.2)],
    ['chad', sf32([1.0479, 0.0229, -0.0502, 0.0296, 0.9904, -0.0171, -0.0092, 0.0151, 0.7519])],
    ['A2B0', mft2()],
  ];
}
