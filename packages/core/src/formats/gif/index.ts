/**
 * GIF (87a/89a) stream walker, per the GIF89a specification, incremental:
 * LZW data and removed extensions pass sub-block by sub-block as they arrive;
 * only a kept extension (a few bytes; an ICC profile up to `MAX_HELD_EXTENSION`)
 * is held whole.
 *
 * Positions: a block's `offset` is where its introducer (0x21, 0x2C) starts,
 * its `length` runs to the end of its block terminator.
 *
 * What stays is data in allowlist.ts: header, logical screen descriptor and
 * global colour table, image descriptors with their colour tables and LZW
 * data, the kept extensions, the trailer byte. Removed: comment and
 * plain-text extensions, XMP and every other application extension, unknown
 * extensions, and every byte after the trailer.
 */
import { hasAscii } from '../../bytes/read.js';
import type { Out } from '../../bytes/write.js';
import type { ResolvedOptions } from '../../options.js';
import type { MetadataKind } from '../../types.js';
import { LinearWalker, streamingHandler } from '../feed.js';
import type { WalkMode } from '../handler.js';
import { keepIccExtension } from './icc-extension.js';
import { APPLICATION, COMMENT, GRAPHIC_CONTROL, KEPT_EXTENSIONS, NAMED_EXTENSIONS, type ExtensionRow } from './allowlist.js';

const HEADER_SIZE = 6; // GIF87a / GIF89a
const SCREEN_DESCRIPTOR_SIZE = 7;
const IMAGE_DESCRIPTOR_SIZE = 10; // introducer included
const EXTENSION = 0x21; // '!'
const IMAGE = 0x2c; // ','
const TRAILER = 0x3b; // ';'
const MIN_LZW_CODE_SIZE = 2; // Appendix F: 2 for 1-bit images
const MAX_LZW_CODE_SIZE = 8; // one more than the largest colour index width
const APPLICATION_ID_SIZE = 11; // identifier (8) + authentication code (3)
const APPLICATION_HEAD = 3 + APPLICATION_ID_SIZE; // introducer, label, block size, identifier
const GRAPHIC_CONTROL_SIZE = 4; // 23.c: packed fields, delay time (2), transparent colour index
const LOOPING_SUB_BLOCK_SIZE = 3; // NETSCAPE2.0 / ANIMEXTS1.0: sub-block id 1, loop count (2)
const LOOPING_SUB_BLOCK_ID = 1;

/** The largest kept extension held whole to be judged (an ICC profile; real ones are under 1 MiB). */
export const MAX_HELD_EXTENSION = 16 * 1024 * 1024;

/** Size in bytes of a colour table announced by a packed field, 0 when absent. */
const colorTableSize = (packed: number) => (packed & 0x80 ? 3 * (1 << ((packed & 0x07) + 1)) : 0);

/**
 * Only the fields an extension defines are copied, so that no sub-block rides
 * along: a Graphic Control Extension is its 4-byte block and the terminator;
 * a looping extension its loop-count sub-block (id 1) and the terminator.
 * `undefined` when the extension does not hold that block.
 */
function canonicalExtension(input: Uint8Array, at: number, end: number, label: number): Uint8Array | undefined {
  if (label === GRAPHIC_CONTROL) {
    const blockEnd = at + 2 + 1 + GRAPHIC_CONTROL_SIZE;
    if (input[at + 2] !== GRAPHIC_CONTROL_SIZE) return undefined;
    return blockEnd + 1 === end ? input.subarray(at, end) : Uint8Array.from([...input.subarray(at, blockEnd), 0]);
  }
  const head = at + APPLICATION_HEAD;
  for (let p = head; input[p] !== 0; p += 1 + input[p]) {
    if (input[p] !== LOOPING_SUB_BLOCK_SIZE || input[p + 1] !== LOOPING_SUB_BLOCK_ID) continue;
    const block = input.subarray(p, p + 1 + LOOPING_SUB_BLOCK_SIZE);
    return p === head && p + 1 + LOOPING_SUB_BLOCK_SIZE + 1 === end ? input.subarray(at, end) : Uint8Array.from([...input.subarray(at, head), ...block, 0]);
  }
  return undefined;
}

const printable = (id: string) => id.replace(/[^\x20-\x7e]/g, '?');

const enum State {
  Head,
  Block,
  /** Passing data sub-blocks (LZW data, or a removed extension). */
  SubBlocks,
  /** Collecting a kept extension whole. */
  Held,
  Trailer,
}

class GifWalker extends LinearWalker {
  private state = State.Head;
  private images = 0;
  // The block whose sub-blocks are passing.
  private blockOffset = 0;
  private chainOffset = 0;
  private copying = false;
  private subRemaining = 0;
  private removal: { kind: MetadataKind; container: string; label?: string } | undefined;
  // A held extension: its label and how far its sub-blocks were scanned (from its start).
  private heldLabel = 0;
  private heldRow: ExtensionRow | undefined;
  private heldScan = 0;
  private trailerStart = 0;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly out: Out,
  ) {
    super('gif', HEADER_SIZE + SCREEN_DESCRIPTOR_SIZE);
  }

  protected step(w: Uint8Array, i: number, end: number, final: boolean): number {
    switch (this.state) {
      case State.SubBlocks:
        return this.subBlocks(w, i, end, final);
      case State.Block:
        return this.block(w, i, end, final);
      case State.Held:
        return this.held(w, i, end, final);
      case State.Head:
        return this.head(w, i, end, final);
      case State.Trailer:
        return this.trailer(w, i, end, final);
    }
  }

  private head(w: Uint8Array, i: number, end: number, final: boolean): number {
    const screenEnd = HEADER_SIZE + SCREEN_DESCRIPTOR_SIZE;
    if (end - i < screenEnd) {
      if (final) this.f.fail('TRUNCATED', 'The GIF ends inside its logical screen descriptor', HEADER_SIZE);
      this.wait(screenEnd);
      return i;
    }
    const tableEnd = screenEnd + colorTableSize(w[i + HEADER_SIZE + 4]);
    if (end - i < tableEnd) {
      if (final) this.f.fail('TRUNCATED', 'The GIF ends inside its global colour table', screenEnd);
      this.wait(tableEnd);
      return i;
    }
    this.out.copy(w, i, i + tableEnd);
    this.state = State.Block;
    return i + tableEnd;
  }

  private block(w: Uint8Array, i: number, end: number, final: boolean): number {
    const { f } = this;
    const pos = i + this.delta;
    if (i >= end) {
      if (final) f.fail('TRUNCATED', 'The GIF ends before its trailer', pos);
      this.wait(1);
      return i;
    }
    const introducer = w[i];
    if (introducer === TRAILER) {
      if (this.images === 0) f.fail('MALFORMED', 'The GIF holds no image', pos);
      this.out.copy(w, i, i + 1);
      this.trailerStart = pos + 1;
      this.state = State.Trailer;
      return i + 1;
    }
    if (introducer === IMAGE) {
      if (end - i < IMAGE_DESCRIPTOR_SIZE + 1) {
        if (final) f.fail('TRUNCATED', 'The GIF ends inside an image descriptor', pos);
        this.wait(IMAGE_DESCRIPTOR_SIZE + 1);
        return i;
      }
      const dataStart = IMAGE_DESCRIPTOR_SIZE + colorTableSize(w[i + 9]) + 1; // + LZW minimum code size
      if (end - i < dataStart) {
        if (final) f.fail('TRUNCATED', 'The GIF ends inside a local colour table', pos);
        this.wait(dataStart);
        return i;
      }
      if ((w[i + 5] | w[i + 6]) === 0 || (w[i + 7] | w[i + 8]) === 0) f.fail('MALFORMED', 'An image of zero width or height', pos);
      const codeSize = w[i + dataStart - 1];
      if (codeSize < MIN_LZW_CODE_SIZE || codeSize > MAX_LZW_CODE_SIZE) f.fail('MALFORMED', `LZW minimum code size ${codeSize} is not 2..8`, pos + dataStart - 1);
      this.out.copy(w, i, i + dataStart);
      this.images++;
      return this.startChain(i + dataStart, pos, true, undefined);
    }
    if (introducer !== EXTENSION) f.fail('MALFORMED', `Unexpected byte 0x${introducer.toString(16)} between GIF blocks`, pos);
    if (end - i < 2) {
      if (final) f.fail('TRUNCATED', 'The GIF ends inside an extension', pos);
      this.wait(2);
      return i;
    }
    const label = w[i + 1];
    if (label === COMMENT) {
      // Comment extensions back to back and whole in the window, in one loop: one report item, no per-block work.
      let q = i;
      let count = 0;
      while (q + 2 <= end && w[q] === EXTENSION && w[q + 1] === COMMENT) {
        let p = q + 2;
        while (p < end && w[p] !== 0) p += 1 + w[p];
        if (p >= end) break;
        q = p + 1;
        count++;
      }
      if (count > 0) {
        this.f.remove('comment', 'comment', pos, q - i, undefined, count);
        return q;
      }
    }
    // The application identifier decides: wait for it (at the end of the input, read what is there, as a whole-input walk does).
    if (label === APPLICATION && end - i < APPLICATION_HEAD && !final) {
      this.wait(APPLICATION_HEAD);
      return i;
    }
    const id = label === APPLICATION && w[i + 2] === APPLICATION_ID_SIZE && end - i >= APPLICATION_HEAD ? String.fromCharCode(...w.subarray(i + 3, i + APPLICATION_HEAD)) : '';
    const row = KEPT_EXTENSIONS.find((r) => r.label === label && (r.id === undefined || r.id === id));
    if (row !== undefined && (row.rule !== 'icc' || this.options.keepColorProfile)) {
      this.heldLabel = label;
      this.heldRow = row;
      this.heldScan = 2;
      this.blockOffset = pos;
      this.state = State.Held;
      return i;
    }
    return this.startChain(i + 2, pos, false, this.name(label, id, w, i, end));
  }

  /** What a removed extension is called. */
  private name(label: number, id: string, w: Uint8Array, i: number, end: number): { kind: MetadataKind; container: string; label?: string } {
    if (id === 'ICCRGBG1012') return { kind: 'icc', container: 'application', label: id };
    for (const row of NAMED_EXTENSIONS) {
      if (row.label !== label) continue;
      if (row.id !== undefined && !hasAscii(w.subarray(0, end), i + 3, row.id)) continue;
      return row.name === undefined ? { kind: row.kind, container: row.container } : { kind: row.kind, container: row.container, label: row.name };
    }
    if (label === APPLICATION) return { kind: 'application', container: 'application', label: printable(id) };
    return { kind: 'unknown', container: `extension 0x${label.toString(16)}` };
  }

  private startChain(i: number, blockOffset: number, copying: boolean, removal: GifWalker['removal']): number {
    this.blockOffset = blockOffset;
    this.chainOffset = i + this.delta;
    this.copying = copying;
    this.removal = removal;
    this.subRemaining = 0;
    this.state = State.SubBlocks;
    return i;
  }

  /** Passes data sub-blocks up to and including the 0 terminator. */
  private subBlocks(w: Uint8Array, i: number, end: number, final: boolean): number {
    let p = i;
    for (;;) {
      if (this.subRemaining > 0) {
        const n = Math.min(this.subRemaining, end - p);
        p += n;
        this.subRemaining -= n;
        if (this.subRemaining > 0) break;
      }
      if (p >= end) break;
      const size = w[p++];
      if (size === 0) {
        if (this.copying) this.out.copy(w, i, p);
        const end_ = p + this.delta;
        if (this.removal !== undefined) {
          const { kind, container, label } = this.removal;
          this.f.remove(kind, container, this.blockOffset, end_ - this.blockOffset, label);
        }
        this.state = State.Block;
        return p;
      }
      this.subRemaining = size;
    }
    if (this.copying) this.out.copy(w, i, p);
    if (final) this.f.fail('TRUNCATED', 'The GIF ends inside a data sub-block chain', this.chainOffset);
    this.wait(1);
    return p;
  }

  /** A kept extension, held until its terminator, then judged whole. */
  private held(w: Uint8Array, i: number, end: number, final: boolean): number {
    let p = i + this.heldScan;
    for (;;) {
      if (p >= end) {
        if (final) this.f.fail('TRUNCATED', 'The GIF ends inside a data sub-block chain', this.blockOffset + 2);
        this.heldScan = p - i;
        if (p - i > MAX_HELD_EXTENSION) this.f.fail('LIMIT_EXCEEDED', `A kept GIF extension is larger than MAX_HELD_EXTENSION (${MAX_HELD_EXTENSION} bytes)`, this.blockOffset);
        this.wait(p - i + 1);
        return i;
      }
      const size = w[p];
      p += 1 + size;
      if (size === 0) break;
    }
    const blockEnd = p;
    this.state = State.Block;
    const row = this.heldRow!;
    const pos = this.blockOffset;
    const length = blockEnd - i;
    if (row.rule === 'icc') {
      const id = row.id!;
      const kept = keepIccExtension(w, i, blockEnd, this.options.keepColorProfileVerbatim);
      if ('refused' in kept) {
        this.f.remove('icc', 'application', pos, length, `${id}, ${kept.refused}`);
        return blockEnd;
      }
      if ('copy' in kept) this.out.copy(w, i, blockEnd);
      else this.out.write(kept.bytes);
      this.f.keep('icc', 'application', pos, length, id);
      if ('removed' in kept) this.f.remove('text', 'application', pos, length, `ICC profile: ${kept.removed.join(', ')}`);
      return blockEnd;
    }
    const name = this.heldLabel === GRAPHIC_CONTROL ? 'graphic-control' : 'application';
    const what = row.id ?? 'Graphic Control';
    const canonical = canonicalExtension(w, i, blockEnd, this.heldLabel);
    if (canonical === undefined) {
      this.f.remove('unknown', name, pos, length, `${what} without its defined block`);
    } else if (canonical.length === length) {
      this.out.copy(w, i, blockEnd);
    } else {
      this.out.write(canonical);
      this.f.remove('unknown', name, pos, length, `sub-blocks after the ${what} fields`);
    }
    return blockEnd;
  }

  private trailer(_w: Uint8Array, _i: number, end: number, final: boolean): number {
    if (final) {
      const n = end + this.delta;
      if (n > this.trailerStart) this.f.remove('trailer', 'trailer', this.trailerStart, n - this.trailerStart, 'data after the GIF trailer');
    }
    this.wait(1);
    return end;
  }
}

export const gif = /* @__PURE__ */ streamingHandler('gif', (options: ResolvedOptions, _mode: WalkMode, out: Out) => new GifWalker(options, out));
