/**
 * Where a scan's entropy-coded data stops (T.81 B.1.1.5): at the first 0xFF
 * that is not a stuffed data byte (`FF 00`) or a restart marker (`FF D0` ..
 * `FF D7`). Scans are nearly all of a JPEG's bytes and this search nearly all
 * of a walk's time, so it reads them four at a time: through an `Int32Array`
 * over the same memory, a word is tested for an 0xFF byte at once. Photo data
 * holds an `FF 00` about every 150 bytes, so what a hit costs counts as much
 * as the words without one: in one loop, the hit word's flags name its FF
 * bytes (on a little-endian host; elsewhere its bytes are read one by one).
 * `Uint8Array.prototype.indexOf` tests one byte per step in Node 20 and
 * returns at every stuffed byte: half the speed of this loop on photo data.
 */
import { isRst, MARKER_PREFIX } from './markers.js';

/** Ranges shorter than this are searched byte by byte (no word view to set up). */
const SHORT_RANGE = 64;

/** True when a word's first byte in memory is its lowest (every engine in use today). */
const LITTLE_ENDIAN = /* @__PURE__ */ (() => new Uint8Array(Uint32Array.of(1).buffer)[0] === 1)();

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
    for (; k < kEnd; k++) {
      let flags = ffFlags(words[k]);
      if (flags === 0) continue;
      const at = pad + k * 4;
      if (!LITTLE_ENDIAN) {
        const hit = bytesStop(bytes, at, at + 4, end);
        if (hit < at + 4) return hit;
        continue;
      }
      // The lowest flag is the word's first FF; past an FF that continues the scan the flags are exact again (see ffFlags).
      do {
        const i = at + ((31 - Math.clz32(flags & -flags)) >>> 3);
        const next = bytes[i + 1]; // i + 1 < end: word k is not the last
        if (next !== 0x00 && !isRst(next)) return i;
        flags &= flags - 1;
      } while (flags !== 0);
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

/**
 * The top bit of each byte of `word` that may be 0xFF; zero when none is.
 * Adding 1 to every byte carries out of an 0xFF, clearing a top bit the word
 * has set; no other byte carries out unless a carry comes into it, so the
 * flag of the lowest byte that is 0xFF is exact and nothing below it is
 * flagged. Above it, the carry may flag an 0xFE (never hide an 0xFF); but an
 * FF followed by 00 or D0..D7 (the only FF a scan goes on past) lets no carry
 * through that byte, and the flags above are exact again.
 */
const ffFlags = (word: number) => ~((word + 0x01010101) | 0) & word & 0x80808080;

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
