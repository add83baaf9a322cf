/**
 * CRC-32 (ISO 3309 / ITU-T V.42, as PNG uses it), slicing-by-8 so that the
 * check over IDAT stays close to memory speed. The tables are built on the
 * first call, not at import: a bundle that never checks a CRC never builds them.
 */
let tables: Uint32Array[] | undefined;

function buildTables(): Uint32Array[] {
  const built: Uint32Array[] = [];
  const first = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    first[n] = c >>> 0;
  }
  built.push(first);
  for (let t = 1; t < 8; t++) {
    const table = new Uint32Array(256);
    const previous = built[t - 1];
    for (let n = 0; n < 256; n++) table[n] = (previous[n] >>> 8) ^ first[previous[n] & 0xff];
    built.push(table);
  }
  return built;
}

/** The CRC register before any byte: feed it to `crc32Update`, finish with `crc32Final`. */
export const CRC32_START = 0xffffffff;

/** The CRC register after `bytes[start..end)`, from `crc` (for data that arrives in pieces). */
export function crc32Update(crc: number, bytes: Uint8Array, start: number, end: number): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = (tables ??= buildTables());
  let i = start;
  for (const stop = end - 8; i <= stop; i += 8) {
    const a = crc ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    crc =
      t7[a & 0xff] ^
      t6[(a >>> 8) & 0xff] ^
      t5[(a >>> 16) & 0xff] ^
      t4[a >>> 24] ^
      t3[bytes[i + 4]] ^
      t2[bytes[i + 5]] ^
      t1[bytes[i + 6]] ^
      t0[bytes[i + 7]];
  }
  for (; i < end; i++) crc = t0[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return crc;
}

export const crc32Final = (crc: number): number => (crc ^ 0xffffffff) >>> 0;

/** CRC-32 of `bytes[start..end)`. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32Final(crc32Update(CRC32_START, bytes, start, end));
}
