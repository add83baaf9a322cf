/**
 * The `ICCRGBG1012` application extension (ICC.1:2022 Annex B.6): one ICC
 * profile carried in the extension's data sub-blocks. The walker holds the
 * extension whole (within `MAX_HELD_EXTENSION`); here its sub-blocks are put
 * together, the profile judged and rewritten by metadata/icc.ts, and written
 * back in sub-blocks of 255 bytes (the last one shorter).
 *
 * Positions: `at` is where the extension's introducer (0x21) is, `end` one
 * past its block terminator, as in the walker.
 */
import { keepIccProfile } from '../../metadata/icc.js';

/** GIF89a 26: introducer, label, block size (11), identifier and authentication code. */
const APPLICATION_HEAD = 3 + 11;
const MAX_SUB_BLOCK_SIZE = 255;

/** What becomes of the extension: copied as it is, written anew without the profile's text, or removed and why. */
export type IccExtension = { copy: true } | { bytes: Uint8Array; removed: string[] } | { refused: string };

/** The extension in `input[at..end)` as the output carries it (`verbatim`: its profile kept as it is once judged whole). */
export function keepIccExtension(input: Uint8Array, at: number, end: number, verbatim: boolean): IccExtension {
  const profile = joinSubBlocks(input, at + APPLICATION_HEAD, end);
  const kept = keepIccProfile(profile, 0, profile.length, { verbatim });
  if ('refused' in kept) return kept;
  if (kept.removed.length === 0) return { copy: true };
  return { bytes: extension(input.subarray(at, at + APPLICATION_HEAD), kept.bytes), removed: kept.removed };
}

/** The payload of the data sub-blocks in `[at, end)` (end is past the terminator), joined. */
function joinSubBlocks(input: Uint8Array, at: number, end: number): Uint8Array {
  const out = new Uint8Array(end - at);
  let size = 0;
  for (let p = at; input[p] !== 0; p += 1 + input[p]) {
    out.set(input.subarray(p + 1, p + 1 + input[p]), size);
    size += input[p];
  }
  return out.subarray(0, size);
}

/** `head` (introducer to authentication code), `data` in sub-blocks, the block terminator. */
function extension(head: Uint8Array, data: Uint8Array): Uint8Array {
  const blocks = Math.ceil(data.length / MAX_SUB_BLOCK_SIZE);
  const out = new Uint8Array(head.length + data.length + blocks + 1);
  out.set(head);
  let p = head.length;
  for (let from = 0; from < data.length; from += MAX_SUB_BLOCK_SIZE) {
    const block = data.subarray(from, from + MAX_SUB_BLOCK_SIZE);
    out[p] = block.length;
    out.set(block, p + 1);
    p += 1 + block.length;
  }
  return out; // the last byte, the terminator, is 0
}
