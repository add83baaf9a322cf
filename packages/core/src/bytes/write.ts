/**
 * Where a walker writes the output image, in order: ranges of the bytes it
 * was fed (`copy`) and bytes it wrote itself (`write`, never written into
 * again by the walker). `sanitizeImage()` collects views (`ByteSink`), the
 * stream copies and hands on batches, the self-check only counts.
 */
export interface Out {
  copy(source: Uint8Array, start: number, end: number): void;
  write(piece: Uint8Array): void;
  readonly length: number;
}

/**
 * Collects the pieces of an output image as views into the input (or small
 * freshly written segments) and concatenates them with a single allocation.
 * A range that continues the previous one extends it: a run of kept chunks
 * costs one piece, not one per chunk.
 */
export class ByteSink implements Out {
  private readonly pieces: Uint8Array[] = [];
  private total = 0;
  private lastSource: Uint8Array | undefined;
  private lastStart = 0;
  private lastEnd = 0;

  copy(source: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    this.total += end - start;
    if (source === this.lastSource && start === this.lastEnd) {
      this.lastEnd = end;
      return;
    }
    this.seal();
    this.lastSource = source;
    this.lastStart = start;
    this.lastEnd = end;
  }

  write(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.seal();
    this.pieces.push(piece);
    this.total += piece.length;
  }

  /** Same as `write`: a view or a fresh array, kept as it is. */
  push(piece: Uint8Array): void {
    this.write(piece);
  }

  /** Appends every piece of another sink (no copy). */
  pushAll(other: ByteSink): void {
    other.seal();
    for (const piece of other.pieces) this.write(piece);
  }

  get length(): number {
    return this.total;
  }

  private seal(): void {
    if (this.lastSource === undefined) return;
    this.pieces.push(this.lastSource.subarray(this.lastStart, this.lastEnd));
    this.lastSource = undefined;
  }

  /**
   * The output in one fresh buffer. With `source` and `copies`, also says
   * where bytes of `source` went: for every piece that is a view of
   * `source`, the triple (offset in `source`, offset in the output, size)
   * is appended to `copies`, from the very copy that places it. With
   * `into`, the output is a view of that reused buffer instead.
   */
  toBytes(source?: Uint8Array, copies?: number[], into?: ScratchBuffer): Uint8Array<ArrayBuffer> {
    this.seal();
    const out = into === undefined ? new Uint8Array(this.total) : into.take(this.total, source);
    let at = 0;
    for (const piece of this.pieces) {
      out.set(piece, at);
      if (copies !== undefined && source !== undefined && piece.buffer === source.buffer) {
        const from = piece.byteOffset - source.byteOffset;
        if (from >= 0 && from + piece.length <= source.length) copies.push(from, at, piece.length);
      }
      at += piece.length;
    }
    return out;
  }
}

/**
 * A buffer reused from one image to the next, for a caller that is done
 * with each image before it starts the next (the CLI reads each file into
 * one and writes each clean copy from another): no new buffer per image, so
 * no allocation, zero fill and garbage collection per image. Each `take`
 * overwrites what the one before handed out. Its memory is its own (never
 * shared with another thread); should an input be a view of it (an output
 * sanitized again from the same buffer), `take` gives a fresh buffer, so
 * that an output never overwrites its input.
 */
export class ScratchBuffer {
  private buffer = new Uint8Array(0);

  /** `size` bytes at the start of the buffer, grown when too small (or fresh ones when `input` lies in it). */
  take(size: number, input?: Uint8Array): Uint8Array<ArrayBuffer> {
    if (input !== undefined && input.buffer === this.buffer.buffer) return new Uint8Array(size);
    if (size > this.buffer.length) this.buffer = new Uint8Array(Math.max(size, this.buffer.length * 2));
    return this.buffer.subarray(0, size);
  }
}

/** Counts the output without keeping it: the self-check's sink. */
export class ByteCounter implements Out {
  length = 0;
  copy(_source: Uint8Array, start: number, end: number): void {
    this.length += end - start;
  }
  write(piece: Uint8Array): void {
    this.length += piece.length;
  }
}

export function writeU16be(target: Uint8Array, at: number, value: number): void {
  target[at] = (value >>> 8) & 0xff;
  target[at + 1] = value & 0xff;
}

export function writeU32be(target: Uint8Array, at: number, value: number): void {
  target[at] = (value >>> 24) & 0xff;
  target[at + 1] = (value >>> 16) & 0xff;
  target[at + 2] = (value >>> 8) & 0xff;
  target[at + 3] = value & 0xff;
}

export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

export function writeU32le(target: Uint8Array, at: number, value: number): void {
  target[at] = value & 0xff;
  target[at + 1] = (value >>> 8) & 0xff;
  target[at + 2] = (value >>> 16) & 0xff;
  target[at + 3] = (value >>> 24) & 0xff;
}
