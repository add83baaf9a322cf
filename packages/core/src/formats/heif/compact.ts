/**
 * Writes the sanitized HEIF compactly: `ftyp`, `meta` with only what the
 * kept items need, the rebuilt `moov` of an image sequence, and one `mdat`
 * with only the kept items' data and the kept tracks' chunks. Removed items'
 * bytes are gone (not zeroed), their `iinf`/`iloc`/`iref`/`ipma` entries are
 * gone, removed properties are gone from `ipco` (the kept ones renumbered in
 * `ipma`), and every item offset and chunk offset is rewritten.
 *
 * The layout is canonical (fixed field sizes, boxes in one order), so a
 * sanitized file written again comes out byte for byte the same.
 *
 * Positions: a box's `offset` is where its size field starts, `start` where
 * its payload starts, `end` one past it (as in `box.ts`). Item extents use
 * the input's absolute offsets (method 0) or offsets into `idat` (method 1).
 */
import { ByteSink, asciiBytes, writeU32be } from '../../bytes/write.js';
import { type Box, BOX_HEADER_SIZE, type Fail, FULL_BOX_HEADER_SIZE } from './box.js';
import type { Association, Extent, ItemInfo, ItemLocation, Reference } from './items.js';
import type { Movie } from './movie.js';

/** What the walker decided to keep, with the bytes to write (the neutralized copy, same offsets as the input). */
export interface CompactPlan {
  bytes: Uint8Array;
  ftyp: Box;
  meta: Box;
  hdlr: Box;
  pitm: Box;
  dinf: Box | undefined;
  idat: Box | undefined;
  /** Kept items in `iinf` order. */
  items: ItemInfo[];
  locations: Map<number, ItemLocation>;
  references: Reference[];
  /** Every `ipco` property: the bytes to write when kept, `undefined` when removed. */
  properties: (Uint8Array | undefined)[];
  associations: Map<number, Association[]>;
  /** The rebuilt image sequence (`bytes` undefined when there is none). */
  movie: Pick<Movie, 'bytes' | 'chunkOffsets' | 'kept'>;
}

const MAX_OUTPUT = 0xffffffff; // 32-bit iloc offsets and box sizes
const HDLR_FIXED = FULL_BOX_HEADER_SIZE + 8; // version/flags, pre_defined, handler_type
const HDLR_RESERVED = 12; // reserved[3]
const ILOC_SIZES = 0x4400; // offset_size 4, length_size 4, base_offset_size 0, index_size 0
const WIDE_INDEX = 0x7f; // ipma: 7-bit property indices unless flags bit 0 is set

function box(type: string, ...parts: Uint8Array[]): Uint8Array {
  const size = BOX_HEADER_SIZE + parts.reduce((sum, p) => sum + p.length, 0);
  const out = new Uint8Array(size);
  writeU32be(out, 0, size);
  out.set(asciiBytes(type), 4);
  let at = BOX_HEADER_SIZE;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Grows a byte list with big-endian fields. */
class Fields {
  private readonly bytes: number[] = [];
  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    this.bytes.push((v >>> 8) & 0xff, v & 0xff);
    return this;
  }
  u32(v: number): this {
    this.bytes.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    return this;
  }
  id(v: number, wide: boolean): this {
    return wide ? this.u32(v) : this.u16(v);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Kept extents merged where they touch or overlap, in order; each extent's place in the merged data. */
class Packed {
  readonly unions: Extent[] = [];
  private readonly placed: number[] = [];

  constructor(extents: Extent[]) {
    const sorted = [...extents].sort((a, b) => a.start - b.start);
    for (const e of sorted) {
      const last = this.unions[this.unions.length - 1];
      if (last !== undefined && e.start <= last.end) last.end = Math.max(last.end, e.end);
      else this.unions.push({ start: e.start, end: e.end });
    }
    let at = 0;
    for (const u of this.unions) {
      this.placed.push(at);
      at += u.end - u.start;
    }
  }

  get size(): number {
    return this.unions.reduce((sum, u) => sum + (u.end - u.start), 0);
  }

  /** Where `start` lands in the packed data (it lies in some union). */
  where(start: number): number {
    let low = 0;
    let high = this.unions.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.unions[mid].start <= start) low = mid;
      else high = mid - 1;
    }
    return this.placed[low] + (start - this.unions[low].start);
  }
}

export function writeCompactHeif(plan: CompactPlan, fail: Fail): ByteSink {
  const { bytes } = plan;
  const view = (b: Box) => bytes.subarray(b.offset, b.end);
  const keptIds = plan.items.map((i) => i.id);
  const wideIds = keptIds.some((id) => id > 0xffff);

  // Item data: method 0 into one mdat, method 1 into one idat.
  const file: Extent[] = [];
  const inIdat: Extent[] = [];
  for (const id of keptIds) {
    const location = plan.locations.get(id);
    for (const e of location?.extents ?? []) (location!.method === 1 ? inIdat : file).push(e);
  }
  file.push(...plan.movie.kept);
  const mdatData = new Packed(file);
  const idatData = new Packed(inIdat);

  // meta children, in the order HEIF readers expect them.
  const hdlr = box('hdlr', bytes.subarray(plan.hdlr.start, plan.hdlr.start + HDLR_FIXED), new Uint8Array(HDLR_RESERVED + 1));
  const infes = plan.items.map((info) => {
    const head = bytes.subarray(info.infe.start, info.textStart); // version, flags, id, protection, type
    return box('infe', head, new Uint8Array(1)); // item_name: empty
  });
  const iinf = box('iinf', new Fields().u32(keptIds.length > 0xffff ? 1 << 24 : 0).done(), keptIds.length > 0xffff ? new Fields().u32(infes.length).done() : new Fields().u16(infes.length).done(), ...infes);

  const references = plan.references.map((r) => view(r.box));
  const irefVersion = plan.references.some((r) => r.idSize === 4) ? 1 : 0;
  const iref = references.length > 0 ? box('iref', Uint8Array.from([irefVersion, 0, 0, 0]), ...references) : undefined;

  const newIndex = new Map<number, number>();
  const ipcoChildren: Uint8Array[] = [];
  plan.properties.forEach((p, i) => {
    if (p === undefined) return;
    ipcoChildren.push(p);
    newIndex.set(i + 1, ipcoChildren.length);
  });
  const wideIndex = ipcoChildren.length > WIDE_INDEX;
  const ipma = new Fields().u8(wideIds ? 1 : 0).u8(0).u8(0).u8(wideIndex ? 1 : 0);
  const entries = keptIds.map((id) => ({ id, list: (plan.associations.get(id) ?? []).filter((a) => newIndex.has(a.index)) })).filter((e) => e.list.length > 0);
  ipma.u32(entries.length);
  for (const { id, list } of entries) {
    ipma.id(id, wideIds).u8(list.length);
    for (const a of list) {
      const index = newIndex.get(a.index)!;
      if (wideIndex) ipma.u16((a.essential ? 0x8000 : 0) | index);
      else ipma.u8((a.essential ? 0x80 : 0) | index);
    }
  }
  const iprp = ipcoChildren.length > 0 ? box('iprp', box('ipco', ...ipcoChildren), box('ipma', ipma.done())) : undefined;

  const idat = idatData.size > 0 ? box('idat', ...idatData.unions.map((u) => bytes.subarray(plan.idat!.start + u.start, plan.idat!.start + u.end))) : undefined;
  const dinf = plan.dinf ? view(plan.dinf) : undefined;

  // iloc has fixed-size fields, so its size is known before the offsets are.
  const ilocFor = (mdatStart: number) => {
    const f = new Fields().u8(wideIds ? 2 : 1).u8(0).u8(0).u8(0).u16(ILOC_SIZES);
    const located = keptIds.filter((id) => plan.locations.has(id));
    if (wideIds) f.u32(located.length);
    else f.u16(located.length);
    for (const id of located) {
      const { method, extents } = plan.locations.get(id)!;
      f.id(id, wideIds).u16(method).u16(0).u16(extents.length);
      for (const e of extents) f.u32(method === 1 ? idatData.where(e.start) : mdatStart + mdatData.where(e.start)).u32(e.end - e.start);
    }
    return box('iloc', f.done());
  };
  const metaHeader = bytes.subarray(plan.meta.start, plan.meta.start + FULL_BOX_HEADER_SIZE);
  const others = [hdlr, view(plan.pitm), ...(dinf ? [dinf] : []), iinf, ...(iref ? [iref] : []), ...(iprp ? [iprp] : []), ...(idat ? [idat] : [])];
  const ftyp = view(plan.ftyp);
  const metaSize = (iloc: Uint8Array) => BOX_HEADER_SIZE + metaHeader.length + iloc.length + others.reduce((sum, b) => sum + b.length, 0);
  const moov = plan.movie.bytes;
  const mdatStart = ftyp.length + metaSize(ilocFor(0)) + (moov?.length ?? 0) + BOX_HEADER_SIZE;
  if (mdatStart + mdatData.size > MAX_OUTPUT) fail('LIMIT_EXCEEDED', 'The sanitized HEIF would exceed 4 GiB', 0);
  const iloc = ilocFor(mdatStart);
  const [hdlrBox, pitmBox, ...rest] = others;
  const meta = box('meta', metaHeader, hdlrBox, pitmBox, iloc, ...rest);

  const output = new ByteSink();
  output.push(ftyp);
  output.push(meta);
  if (moov) {
    for (const { at, chunk } of plan.movie.chunkOffsets) writeU32be(moov, at, chunk.end > chunk.start ? mdatStart + mdatData.where(chunk.start) : 0);
    output.push(moov);
  }
  if (mdatData.size > 0) {
    const header = new Uint8Array(BOX_HEADER_SIZE);
    writeU32be(header, 0, BOX_HEADER_SIZE + mdatData.size);
    header.set(asciiBytes('mdat'), 4);
    output.push(header);
    for (const u of mdatData.unions) output.push(bytes.subarray(u.start, u.end));
  }
  return output;
}
