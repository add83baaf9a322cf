/**
 * The output of the HEIF walker: one copy of the input in which ranges are
 * zeroed and box types rewritten, never moved (items are found by absolute
 * file offsets, so every offset must stay valid).
 *
 * It remembers, per block of `BLOCK_SIZE` bytes, how many bytes it changed,
 * so that "did anything in `[start, end)` change?" costs O(BLOCK_SIZE) however
 * many overlapping items a hostile file declares.
 */
import { asciiBytes } from '../../bytes/write.js';
import { type Box, USERTYPE_SIZE } from './box.js';

const BLOCK_SHIFT = 10; // 1 KiB blocks
const BLOCK_SIZE = 1 << BLOCK_SHIFT;
const FREE = /* @__PURE__ */ asciiBytes('free'); // 14496-12 8.1.2: free space, its contents are irrelevant

export class NeutralizedCopy {
  readonly bytes: Uint8Array<ArrayBuffer>;
  private readonly changedPerBlock: Uint32Array;
  /** changedBefore[b]: bytes changed in blocks 0..b-1; built once by `seal()`. */
  private changedBefore: Float64Array | undefined;

  constructor(private readonly input: Uint8Array, length: number) {
    this.bytes = input.slice(0, length);
    this.changedPerBlock = new Uint32Array((length >> BLOCK_SHIFT) + 1);
  }

  /** Zeroes `[start, end)` (clipped to the copy). */
  zero(start: number, end: number): void {
    const { bytes, changedPerBlock } = this;
    const stop = Math.min(end, bytes.length);
    for (let i = Math.max(start, 0); i < stop; i++) {
      if (bytes[i] !== 0) {
        bytes[i] = 0;
        changedPerBlock[i >> BLOCK_SHIFT]++;
      }
    }
  }

  /** Renames a box `free`; its size field (and largesize) stay. */
  retype(box: Box): void {
    this.writeFree(box.offset + 4);
  }

  /** Writes the 4CC `free` at `typeAt` (a box type or an `infe` item type). */
  writeFree(typeAt: number): void {
    for (let i = 0; i < FREE.length; i++) {
      if (this.bytes[typeAt + i] !== FREE[i]) {
        this.bytes[typeAt + i] = FREE[i];
        this.changedPerBlock[(typeAt + i) >> BLOCK_SHIFT]++;
      }
    }
  }

  /** Writes `value` over `[at, at + value.length)` (a 4CC, clipped to the copy). */
  write(at: number, value: Uint8Array): void {
    for (let i = 0; i < value.length && at + i < this.bytes.length; i++) {
      if (this.bytes[at + i] !== value[i]) {
        this.bytes[at + i] = value[i];
        this.changedPerBlock[(at + i) >> BLOCK_SHIFT]++;
      }
    }
  }

  /** Turns a box into `free` of the same size with a zeroed payload (a `uuid` usertype included). */
  free(box: Box): void {
    this.retype(box);
    this.zero(box.start - (box.type === 'uuid' ? USERTYPE_SIZE : 0), box.end);
  }

  /** Clears bits of the byte at `at` (e.g. an `ipma` essential flag). */
  clearBits(at: number, mask: number): void {
    if (at >= this.bytes.length || (this.bytes[at] & mask) === 0) return;
    this.bytes[at] &= ~mask & 0xff;
    this.changedPerBlock[at >> BLOCK_SHIFT]++;
  }

  /** Ends the changes; `changed()` may be asked from here on. */
  seal(): void {
    const prefix = new Float64Array(this.changedPerBlock.length + 1);
    for (let b = 0; b < this.changedPerBlock.length; b++) prefix[b + 1] = prefix[b] + this.changedPerBlock[b];
    this.changedBefore = prefix;
  }

  /** True when any byte in `[start, end)` differs from the input. */
  changed(start: number, end: number): boolean {
    const prefix = this.changedBefore!;
    const from = Math.max(0, start);
    const to = Math.min(end, this.bytes.length);
    if (from >= to) return false;
    const firstFull = Math.ceil(from / BLOCK_SIZE);
    const lastFull = Math.floor(to / BLOCK_SIZE); // blocks [firstFull, lastFull) lie wholly inside
    if (firstFull >= lastFull) return this.differs(from, to);
    if (prefix[lastFull] - prefix[firstFull] > 0) return true;
    return this.differs(from, firstFull * BLOCK_SIZE) || this.differs(lastFull * BLOCK_SIZE, to);
  }

  private differs(from: number, to: number): boolean {
    for (let i = from; i < to; i++) if (this.bytes[i] !== this.input[i]) return true;
    return false;
  }
}
