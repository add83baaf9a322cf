/** A plain test-side RIFF (WebP) chunk listing, independent of the core. */


/** RIFF chunks from `from` (12: the chunks of a WebP file) to the RIFF size's end, as a plain listing (test-side, independent of the core). */
export function riffChunks(bytes: Uint8Array, from = 12): { type: string; data: Uint8Array; whole: Uint8Array }[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks = [];
  const end = from === 12 ? Math.min(view.length, 8 + view.readUInt32LE(4)) : view.length;
  for (let at = from; at + 8 <= end; ) {
    const size = view.readUInt32LE(at + 4);
    const type = view.toString('latin1', at, at + 4);
    chunks.push({ type, data: bytes.subarray(at + 8, at + 8 + size), whole: bytes.subarray(at, at + 8 + size) });
    at += 8 + size + (size & 1);
  }
  return chunks;
}
