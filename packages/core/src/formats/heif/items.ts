/**
 * The item structures of a HEIF `meta` box (ISO/IEC 23008-12, built on
 * ISO/IEC 14496-12 8.11): item information (`iinf`/`infe`), locations
 * (`iloc`), references (`iref`) and property associations (`ipma`).
 *
 * Every field is read through a `Cursor` that refuses to read past its box,
 * and every box must be exactly filled by its fields: no byte rides along.
 */
import { fourCC, u16be, u32be } from '../../bytes/read.js';
import { type Box, type BoxBudget, BOX_HEADER_SIZE, childBoxes, type Fail, FULL_BOX_HEADER_SIZE, printableType, uintBe } from './box.js';

/** Items, extents, references and associations one file may declare. Real photos have a few hundred at most. */
export const MAX_ITEMS = 10_000;
export const MAX_EXTENTS = 10_000;
export const MAX_REFERENCES = 10_000;
export const MAX_ASSOCIATIONS = 100_000;
/** Longest string read for classification (a `mime` content type); the bytes are zeroed whatever their length. */
const MAX_LABEL_TEXT = 255;

/** Reads fields in order inside one box; any read past its end is `MALFORMED`. */
export class Cursor {
  at: number;
  constructor(
    private readonly input: Uint8Array,
    private readonly box: Box,
    private readonly fail: Fail,
    from = box.start,
  ) {
    this.at = from;
  }

  private need(size: number): number {
    if (this.at + size > this.box.end) this.fail('MALFORMED', `${printableType(this.box.type)} box is shorter than its fields`, this.box.offset);
    const at = this.at;
    this.at += size;
    return at;
  }

  u8(): number {
    return this.input[this.need(1)];
  }
  u16(): number {
    return u16be(this.input, this.need(2));
  }
  u32(): number {
    return u32be(this.input, this.need(4));
  }
  /** An unsigned field of 0, 2, 4 or 8 bytes. */
  uint(size: number): number {
    return uintBe(this.input, this.need(size), size);
  }
  fourCC(): string {
    return fourCC(this.input, this.need(4));
  }
  /** FullBox version and flags (14496-12 4.2.2). */
  fullBox(): { version: number; flags: number } {
    const at = this.need(FULL_BOX_HEADER_SIZE);
    return { version: this.input[at], flags: ((this.input[at + 1] << 16) | (this.input[at + 2] << 8) | this.input[at + 3]) >>> 0 };
  }
  /** Refuses leftover bytes: the fields must fill the box exactly. */
  done(): void {
    if (this.at !== this.box.end) this.fail('MALFORMED', `${printableType(this.box.type)} box holds bytes after its fields`, this.box.offset);
  }
}

/** The NUL-terminated text at `at` (bounded by `end` and `MAX_LABEL_TEXT`), and where the byte after its NUL is. */
function cString(input: Uint8Array, at: number, end: number): { text: string; next: number } {
  let text = '';
  let i = at;
  for (; i < end && input[i] !== 0; i++) if (text.length < MAX_LABEL_TEXT) text += String.fromCharCode(input[i]);
  return { text, next: Math.min(i + 1, end) };
}

/** 8.11.4 `pitm`: the primary item's id. */
export function readPrimaryItem(input: Uint8Array, box: Box, fail: Fail): number {
  const c = new Cursor(input, box, fail);
  const { version } = c.fullBox();
  const id = version === 0 ? c.u16() : c.u32();
  c.done();
  return id;
}

/** One `infe` entry. */
export interface ItemInfo {
  id: number;
  /** The 4CC item type (`hvc1`, `av01`, `grid`, `Exif`, `mime`, ...); empty for version 0/1 entries, which have none. */
  type: string;
  /** Where the item type field starts; -1 when there is none. */
  typeAt: number;
  /** `item_protection_index`: non-zero means the item is encrypted (`ipro`). */
  protection: number;
  /** A `mime` item's content type (e.g. `application/rdf+xml`), for the report only. */
  contentType: string;
  infe: Box;
  /** Where the item's strings start (name, content type, encoding, URI type): everything from here to the box end is text. */
  textStart: number;
}

/** 8.11.6 `iinf` and its `infe` entries, by item id. */
export function readItemInfos(input: Uint8Array, iinf: Box, fail: Fail, budget: BoxBudget): Map<number, ItemInfo> {
  const c = new Cursor(input, iinf, fail);
  const { version } = c.fullBox();
  const count = version === 0 ? c.u16() : c.u32();
  if (count > MAX_ITEMS) fail('LIMIT_EXCEEDED', `More than ${MAX_ITEMS} items`, iinf.offset);
  const entries = childBoxes(input, c.at, iinf.end, fail, budget);
  if (entries.length !== count) fail('MALFORMED', `iinf declares ${count} entries but holds ${entries.length} boxes`, iinf.offset);
  const items = new Map<number, ItemInfo>();
  for (const infe of entries) {
    if (infe.type !== 'infe') fail('MALFORMED', `iinf holds a ${printableType(infe.type)} box`, infe.offset);
    const e = new Cursor(input, infe, fail);
    const { version: v } = e.fullBox();
    if (v > 3) fail('UNSUPPORTED_FORMAT', `infe version ${v}`, infe.offset);
    const id = v === 3 ? e.u32() : e.u16();
    const protection = e.u16();
    const typeAt = v >= 2 ? e.at : -1;
    const type = v >= 2 ? e.fourCC() : '';
    const textStart = e.at;
    let contentType = '';
    if (type === 'mime') contentType = cString(input, cString(input, textStart, infe.end).next, infe.end).text;
    if (items.has(id)) fail('MALFORMED', `Item ${id} has two infe entries`, infe.offset);
    items.set(id, { id, type, typeAt, protection, contentType, infe, textStart });
  }
  return items;
}

/** One contiguous piece of an item's data. Method 0: absolute file offsets; method 1: offsets into the `idat` payload. */
export interface Extent {
  start: number;
  /** `start + extent_length`; may be `Infinity` for a hostile 64-bit value. `end === start` means "the whole container" (refused where it matters). */
  end: number;
}

export interface ItemLocation {
  id: number;
  /** 8.11.3.1 construction_method: 0 file offset, 1 `idat` offset, 2 item offset. */
  method: number;
  dataReference: number;
  extents: Extent[];
}

const ILOC_FIELD_SIZES = [0, 4, 8]; // 8.11.3.3: offset_size, length_size, base_offset_size, index_size ∈ {0, 4, 8}

/** 8.11.3 `iloc`, by item id. */
export function readItemLocations(input: Uint8Array, iloc: Box, fail: Fail): Map<number, ItemLocation> {
  const c = new Cursor(input, iloc, fail);
  const { version } = c.fullBox();
  if (version > 2) fail('UNSUPPORTED_FORMAT', `iloc version ${version}`, iloc.offset);
  const sizes = c.u16();
  const offsetSize = sizes >> 12;
  const lengthSize = (sizes >> 8) & 0x0f;
  const baseOffsetSize = (sizes >> 4) & 0x0f;
  const indexSize = version >= 1 ? sizes & 0x0f : 0;
  for (const size of [offsetSize, lengthSize, baseOffsetSize, indexSize]) {
    if (!ILOC_FIELD_SIZES.includes(size)) fail('MALFORMED', `iloc field size ${size} is not 0, 4 or 8`, iloc.offset);
  }
  const count = version < 2 ? c.u16() : c.u32();
  if (count > MAX_ITEMS) fail('LIMIT_EXCEEDED', `More than ${MAX_ITEMS} items in iloc`, iloc.offset);
  const locations = new Map<number, ItemLocation>();
  let totalExtents = 0;
  for (let i = 0; i < count; i++) {
    const id = version < 2 ? c.u16() : c.u32();
    const method = version >= 1 ? c.u16() & 0x0f : 0;
    const dataReference = c.u16();
    const base = c.uint(baseOffsetSize);
    const extentCount = c.u16();
    totalExtents += extentCount;
    if (totalExtents > MAX_EXTENTS) fail('LIMIT_EXCEEDED', `More than ${MAX_EXTENTS} extents in iloc`, iloc.offset);
    const extents: Extent[] = [];
    for (let k = 0; k < extentCount; k++) {
      c.uint(indexSize); // extent_index: only construction method 2 uses it, and that method is refused
      const start = base + c.uint(offsetSize);
      extents.push({ start, end: start + c.uint(lengthSize) });
    }
    if (locations.has(id)) fail('MALFORMED', `Item ${id} has two iloc entries`, iloc.offset);
    locations.set(id, { id, method, dataReference, extents });
  }
  c.done();
  return locations;
}

/** One `SingleItemTypeReferenceBox` of `iref` (8.11.12). */
export interface Reference {
  box: Box;
  type: string;
  from: number;
  to: number[];
  /** Where `from_item_ID` starts: from here to the box end are ids and the count. */
  fieldsStart: number;
  /** 2 (iref version 0) or 4 bytes per id. */
  idSize: number;
}

/** 8.11.12 `iref`. */
export function readReferences(input: Uint8Array, iref: Box, fail: Fail, budget: BoxBudget): Reference[] {
  const c = new Cursor(input, iref, fail);
  const { version } = c.fullBox();
  if (version > 1) fail('UNSUPPORTED_FORMAT', `iref version ${version}`, iref.offset);
  const idSize = version === 0 ? 2 : 4;
  const references: Reference[] = [];
  let total = 0;
  for (const box of childBoxes(input, c.at, iref.end, fail, budget)) {
    const r = new Cursor(input, box, fail);
    const from = idSize === 2 ? r.u16() : r.u32();
    const count = r.u16();
    total += count;
    if (total > MAX_REFERENCES) fail('LIMIT_EXCEEDED', `More than ${MAX_REFERENCES} item references`, box.offset);
    const to: number[] = [];
    for (let i = 0; i < count; i++) to.push(idSize === 2 ? r.u16() : r.u32());
    r.done();
    references.push({ box, type: box.type, from, to, fieldsStart: box.start, idSize });
  }
  return references;
}

export interface Association {
  /** 1-based index into `ipco`; 0 means "no property". */
  index: number;
  essential: boolean;
  /** Where the association starts in the file: its top bit is the essential flag. */
  at: number;
}

/** 23008-12 9.3 `ipma`: each item's property associations, added to `into`. */
export function readAssociations(input: Uint8Array, ipma: Box, fail: Fail, into: Map<number, Association[]>): void {
  const c = new Cursor(input, ipma, fail);
  const { version, flags } = c.fullBox();
  if (version > 1) fail('UNSUPPORTED_FORMAT', `ipma version ${version}`, ipma.offset);
  const wide = (flags & 1) === 1; // 15-bit property indices
  const count = c.u32();
  if (count > MAX_ITEMS) fail('LIMIT_EXCEEDED', `More than ${MAX_ITEMS} items in ipma`, ipma.offset);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const id = version < 1 ? c.u16() : c.u32();
    const n = c.u8();
    total += n;
    if (total > MAX_ASSOCIATIONS) fail('LIMIT_EXCEEDED', `More than ${MAX_ASSOCIATIONS} property associations`, ipma.offset);
    const list = into.get(id) ?? [];
    for (let k = 0; k < n; k++) {
      const at = c.at;
      const value = wide ? c.u16() : c.u8();
      const essentialBit = wide ? 0x8000 : 0x80;
      list.push({ index: value & (essentialBit - 1), essential: (value & essentialBit) !== 0, at });
    }
    into.set(id, list);
  }
  c.done();
}

/** 23008-12 6.5.8 `auxC`: the aux_type URN. */
export function auxiliaryType(input: Uint8Array, auxC: Box): string {
  return cString(input, auxC.start + FULL_BOX_HEADER_SIZE, auxC.end).text;
}

/** `colr` (14496-12 12.1.5): the colour_type 4CC, or '' when the box is too short to have one. */
export function colourType(input: Uint8Array, colr: Box): string {
  return colr.end - colr.start >= 4 ? fourCC(input, colr.start) : '';
}


/** A self-contained data reference (14496-12 8.7.2): `dref` with `url ` entries whose flag 1 means "this file", and nothing else. */
const DREF_ENTRY_SIZE = BOX_HEADER_SIZE + FULL_BOX_HEADER_SIZE;
const SELF_CONTAINED = 1;

/** True when `dinf` holds one `dref` whose entries all say "in this file" and carry nothing else. */
export function isSelfContained(input: Uint8Array, dinf: Box, fail: Fail, budget: BoxBudget): boolean {
  const children = childBoxes(input, dinf.start, dinf.end, fail, budget);
  if (children.length !== 1 || children[0].type !== 'dref') return false;
  const dref = children[0];
  const c = new Cursor(input, dref, fail);
  if (c.u32() !== 0) return false; // version 0, flags 0
  const count = c.u32();
  const entries = childBoxes(input, c.at, dref.end, fail, budget);
  return (
    entries.length === count &&
    entries.every((e) => e.type === 'url ' && e.end - e.offset === DREF_ENTRY_SIZE && input[e.start] === 0 && (input[e.start + 3] & SELF_CONTAINED) === SELF_CONTAINED)
  );
}
