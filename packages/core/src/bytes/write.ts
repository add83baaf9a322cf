/**
 * Collects the pieces of an output image as views into the input (or small
 * freshly written segments) and concatenates them with a single allocation.
 */
export class ByteSink {
  private readonly pieces: Uint8Array[] = [];
  private total = 0;

  push(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.pieces.push(piece);
    this.total += piece.length;
  }

  /** Appends every piece of another sink (no copy). */
  pushAll(other: ByteSink): void {
    for (const piece of other.pieces) this.push(piece);
  }

  get length(): number {
    return this.total;
  }

  toBytes(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.total);
    let at = 0;
    for (const piece of this.pieces) {
      out.set(piece, at);
      at += piece.length;
    }
    return out;
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
