/**
 * Where a scan's entropy-coded data stops (T.81 B.1.1.5): at the first 0xFF
 * that is not a stuffed data byte (`FF 00`) or a restart marker (`FF D0` ..
 * `FF D7`). Scans are nearly all of a JPEG's bytes and this search nearly all
 * of a walk's time, so it reads them four at a time: through an `Int32Array`
 * over the same memory, a word is tested for an 0xFF byte at once, and only a
 * word that holds one is looked at byte by byte (which also makes the host's
 * byte order irrelevant). `Uint8Array.prototype.indexOf` tests one byte per
 * step and returns at every stuffed byte: about half the speed.
 */
import { isRst, MARKER_PREFIX } from './markers.js';

/** Ranges shorter than this are searched byte by byte (no word view to set up). */
const SHORT_RANGE = 64;

export class EntropyScanner {
  private bytes: Uint8Array | undefined;
  /** The whole words of `bytes`: word `k` holds bytes `pad + 4k .. pad + 4k + 3`. */
  private words: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private pad = 0;

  /**
   * The index in `bytes[from, end)` of the first 0xFF that is followed by
   * neither 00 nor RSTn, or of an 0xFF at `end - 1` (its next byte decides);
   * `end` when there is none.
   */
  stop(bytes: Uint8Array, from: number, end: number): number {
    if (end - from < SHORT_RANGE) return bytesStop(bytes, from, end, end);
    if (bytes !== this.bytes) this.view(bytes);
    const { words, pad } = this;
    // Bytes up to the first whole word, then whole words except the last (an 0xFF in it may need the byte after it), then bytes.
    // Positions use `>>> 2` and `* 4`: an input may be up to 4 GiB, where `>>` and `<<` wrap.
    let k = (from - pad + 3) >>> 2;
    const kEnd = ((end - pad) >>> 2) - 1;
    const head = pad + k * 4;
    const found = bytesStop(bytes, from, head, end);
    if (found < head) return found;
    for (;;) {
      k = wordWithFF(words, k, kEnd);
      if (k >= kEnd) break;
      const at = pad + k * 4;
      const hit = bytesStop(bytes, at, at + 4, end);
      if (hit < at + 4) return hit;
      k++;
    }
    return bytesStop(bytes, pad + k * 4, end, end);
  }

  private view(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.pad = (4 - (bytes.byteOffset % 4)) % 4;
    const count = Math.max(0, Math.floor((bytes.length - this.pad) / 4));
    this.words = new Int32Array(bytes.buffer, bytes.byteOffset + this.pad, count);
  }
}

/** The first of `words[k, kEnd)` that holds an 0xFF byte, or `kEnd`; four words a step. */
function wordWithFF(words: Int32Array, k: number, kEnd: number): number {
  for (; k + 4 <= kEnd; k += 4) {
    if ((hasFF(words[k]) | hasFF(words[k + 1]) | hasFF(words[k + 2]) | hasFF(words[k + 3])) !== 0) break;
  }
  for (; k < kEnd; k++) {
    if (hasFF(words[k]) !== 0) return k;
  }
  return k;
}

/**
 * Non-zero when a byte of `word` is 0xFF: adding 1 to every byte carries out
 * of exactly those, clearing a top bit the word has set (with no 0xFF, no
 * byte carries and every top bit set stays set).
 */
const hasFF = (word: number) => ~((word + 0x01010101) | 0) & word & 0x80808080;

/** `stop` over `bytes[from, to)` one byte at a time; `end` is where the window ends. */
function bytesStop(bytes: Uint8Array, from: number, to: number, end: number): number {
  for (let i = from; i < to; i++) {
    if (bytes[i] !== MARKER_PREFIX) continue;
    if (i + 1 >= end) return i;
    const next = bytes[i + 1];
    if (next !== 0x00 && !isRst(next)) return i;
  }
  return to;
}
