/** A plain test-side TIFF reader, independent of the core. */


/** One IFD of the main chain of a TIFF, as a plain reader sees it (test-side, independent of the core). */
export interface TiffIfd {
  offset: number;
  /** Each tag's values (integer and rational types; a rational as numerator, denominator), by tag id; other types as their raw bytes. */
  tags: Map<number, number[] | Uint8Array>;
  /** Absolute `[start, end)` byte ranges of its strips or tiles. */
  segments: [number, number][];
  /** The furthest byte its table, its values and its strips or tiles reach. */
  end: number;
}

/**
 * A deliberately simple TIFF/BigTIFF reader: the IFD0 chain (stopping at a
 * loop or after 10,000 IFDs), each entry's values, and where the strips or
 * tiles lie. It trusts the file otherwise; it reads nothing past the end.
 */
export function tiffLayout(bytes: Uint8Array): TiffIfd[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.length;
  if (n < 8) return [];
  const little = view[0] === 0x49;
  const big = (little ? view.readUInt16LE(2) : view.readUInt16BE(2)) === 43;
  const u16 = (at: number) => (little ? view.readUInt16LE(at) : view.readUInt16BE(at));
  const u32 = (at: number) => (little ? view.readUInt32LE(at) : view.readUInt32BE(at));
  const u64 = (at: number) => Number(little ? view.readBigUInt64LE(at) : view.readBigUInt64BE(at));
  const offset = (at: number) => (big ? u64(at) : u32(at));
  const sizes: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };
  const [countSize, entrySize, inline] = big ? [8, 20, 8] : [2, 12, 4];
  const ifds: TiffIfd[] = [];
  const seen = new Set<number>();
  for (let at = big ? (n >= 16 ? u64(8) : 0) : u32(4); at !== 0 && !seen.has(at) && ifds.length < 10_000; ) {
    seen.add(at);
    if (at + countSize > n) break;
    const count = big ? u64(at) : u16(at);
    if (at + countSize + count * entrySize + inline > n) break;
    const tags = new Map<number, number[] | Uint8Array>();
    let end = at + countSize + count * entrySize + inline;
    for (let i = 0; i < count; i++) {
      const e = at + countSize + i * entrySize;
      const type = u16(e + 2);
      const valueCount = offset(e + 4);
      const size = (sizes[type] ?? 0) * valueCount;
      const start = size <= inline ? e + 4 + inline : offset(e + 4 + inline);
      if (start + size > n) continue;
      end = Math.max(end, start + size);
      if (type === 3 || type === 4 || type === 16 || type === 13 || type === 5) {
        const values: number[] = [];
        const step = type === 3 ? 2 : type === 16 ? 8 : 4;
        for (let k = 0; k < (type === 5 ? 2 * valueCount : valueCount); k++) values.push(step === 2 ? u16(start + k * 2) : step === 4 ? u32(start + k * 4) : u64(start + k * 8));
        tags.set(u16(e), values);
      } else {
        tags.set(u16(e), bytes.subarray(start, start + size));
      }
    }
    const list = (tag: number) => (Array.isArray(tags.get(tag)) ? (tags.get(tag) as number[]) : []);
    const [offsets, counts] = tags.has(324) ? [list(324), list(325)] : [list(273), list(279)];
    const segments: [number, number][] = offsets.map((o, i) => [o, o + (counts[i] ?? 0)]);
    for (const [, segmentEnd] of segments) end = Math.max(end, segmentEnd);
    ifds.push({ offset: at, tags, segments, end });
    at = offset(at + countSize + count * entrySize);
  }
  return ifds;
}
