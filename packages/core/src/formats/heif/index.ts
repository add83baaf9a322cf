/**
 * HEIC and AVIF (HEIF, ISO/IEC 23008-12, on ISO-BMFF, ISO/IEC 14496-12) walker.
 *
 * The walk neutralizes a copy of the input in place (removed boxes become
 * `free`, their payload and every unused `mdat`/`idat` byte zeroed), which is
 * what the removal report is judged against; the output is then written
 * compactly from that copy (`compact.ts`): `ftyp`, `meta` holding only
 * the kept items' entries and properties, one `mdat` with only their data,
 * every offset rewritten. Removed items' bytes are gone, not zeroed.
 *
 * Kept items: the primary item (`pitm`), the tiles and inputs it derives from
 * (`dimg`) and its alpha plane (`auxl` with an alpha `auxC`), recursively.
 * Every other item's data is zeroed and its `infe` type renamed `free`:
 * Exif, XMP (`mime`), thumbnails (`thmb`), depth maps, HDR gain maps,
 * anything unreferenced.
 *
 * Kept boxes: top level `ftyp`, `meta`, one `mdat`; in `meta` `hdlr` (name
 * empty), `pitm`, `iloc`, `iinf` (the kept items' `infe`, names empty),
 * `iref` (only `dimg`, alpha `auxl`, `base`, `prem` between kept items),
 * `iprp` with the rendering properties the kept items use (ICC profiles
 * without their text), `idat` with only kept data, and `dinf` when it only
 * says "this file". An image sequence (`moov`) is rebuilt by
 * `movie.ts` with only what playback needs; its kept chunks go into the
 * same compact `mdat`, byte for byte, their `stco` offsets rewritten.
 * Fragmented sequences (`mvex`/`moof`) are refused (`FRAGMENTED_REFUSAL`),
 * and so is a sequence without a still image (`SEQUENCE_WITHOUT_STILL_REFUSAL`).
 *
 * The boxes, properties, items and references kept are data in allowlist.ts.
 *
 * Positions in reports: a box's `offset` is where its size field starts, its
 * `length` the whole box; an item's `offset` is where its first extent
 * starts, its `length` the sum of its extents.
 */
import { fourCC, u32be, u64be } from '../../bytes/read.js';
import type { ResolvedOptions } from '../../options.js';
import type { ImageFormat, MetadataItem, MetadataKind } from '../../types.js';
import {
  ALPHA_AUX_TYPES,
  AUX_LABELS,
  FREE_SPACE,
  HANDLER_PICTURE,
  ICC_COLOUR_TYPES,
  IMAGE_ITEM_TYPES,
  KNOWN_BRANDS,
  META_KEPT,
  NCLX,
  NEEDED_TOP_LEVEL,
  PROPERTIES_KEPT,
  REFERENCES_KEPT,
  TOP_LEVEL_KEPT,
  TOP_LEVEL_KINDS,
} from './allowlist.js';
import { type Box, BoxBudget, BOX_HEADER_SIZE, childBoxes, type Fail, FULL_BOX_HEADER_SIZE, printableType, readBox } from './box.js';
import {
  type Association,
  auxiliaryType,
  colourType,
  Cursor,
  type Extent,
  isSelfContained,
  type ItemInfo,
  type ItemLocation,
  readAssociations,
  readItemInfos,
  readItemLocations,
  readPrimaryItem,
  readReferences,
  type Reference,
} from './items.js';
import { type CompactPlan, writeCompactHeif } from './compact.js';
import { FRAGMENTED_REFUSAL, type Movie, readMovie } from './movie.js';
import { NeutralizedCopy } from './neutralized.js';
import { readOrientation } from '../../metadata/exif.js';
import { keepIccProfile, type KeptProfile } from '../../metadata/icc.js';
import { fillsExactly } from './properties.js';
import { Findings } from '../findings.js';
import type { FormatHandler, Plan } from '../handler.js';

/**
 * Why an image sequence without a still image (a `moov`, no top-level
 * `meta`) is refused: the compact output is built around the primary image
 * item, which such a file does not have.
 */
export const SEQUENCE_WITHOUT_STILL_REFUSAL =
  'Image sequences without a still image (moov but no top-level meta) are refused: the sanitized file is rebuilt around its primary image item, which such a file lacks';

/** Boxes of all levels one file may hold. Real photos have a few hundred. */
export const MAX_BOXES = 10_000;

const FTYP_FIXED_SIZE = 8; // major_brand, minor_version
const LARGESIZE = 1; // 14496-12 4.2.2: a 64-bit largesize follows the type
const LARGE_HEADER_SIZE = 16;
const HDLR_RESERVED_AT = FULL_BOX_HEADER_SIZE + 8; // after version/flags, pre_defined and handler_type: reserved[3], then the name
const COLOUR_TYPE_SIZE = 4; // colr: colour_type, then the profile
const ESSENTIAL_BIT = 0x80; // 23008-12 9.3.2 ipma: the top bit of an association (u8 or u16), in its first byte
const GRID_FIXED_SIZE = 4; // 6.6.2.3.2 ImageGrid: version, flags, rows_minus_one, columns_minus_one
const OVERLAY_FIXED_SIZE = 10; // 6.6.2.2.2 ImageOverlay: version, flags, canvas_fill_value[4]
const LARGE_FIELDS = 1; // grid/iovl flags bit 0: 32-bit instead of 16-bit fields

/** A report entry that stands when its byte ranges changed in the output. */
interface Pending {
  item: MetadataItem;
  ranges: Extent[];
}

/** Where kept extents may lie: an `mdat` payload (construction method 0) or the `idat` payload (method 1). */
interface DataRegion {
  box: Box;
  kept: Extent[];
}

class HeifWalker {
  private readonly f: Findings;
  private readonly fail: Fail;
  private readonly budget: BoxBudget;
  private readonly n: number;
  private readonly pending: Pending[] = [];
  private copy!: NeutralizedCopy;

  private items = new Map<number, ItemInfo>();
  private locations = new Map<number, ItemLocation>();
  private references: Reference[] = [];
  private properties: Box[] = [];
  private readonly associations = new Map<number, Association[]>();
  private readonly keptItems = new Set<number>();
  private readonly auxTypes = new Map<number, string>();
  /** Top-level `mdat` boxes, in file order. */
  private readonly mdats: DataRegion[] = [];
  /** `dimg` references by the derived item. */
  private readonly derivedFrom = new Map<number, Reference[]>();
  private idat: DataRegion | undefined;
  private readonly profiles = new Map<Box, KeptProfile>();
  private metaBoxes = new Map<string, Box>();
  private keptDinf: Box | undefined;
  private readonly keptReferences: Reference[] = [];
  private fates: string[] = [];
  private movie: Movie = { bytes: undefined, chunkOffsets: [], kept: [], removed: [], report: { removed: [], kept: [] } };

  constructor(
    private readonly input: Uint8Array,
    private readonly options: ResolvedOptions,
    format: ImageFormat,
  ) {
    this.n = input.length;
    this.f = new Findings(format);
    this.fail = this.f.fail;
    this.budget = new BoxBudget(MAX_BOXES, this.fail);
  }

  walk(): Plan {
    const { top, dataEnd } = this.topLevel();
    this.copy = new NeutralizedCopy(this.input, dataEnd);
    for (const box of top) if (box.type === 'mdat') this.mdats.push({ box, kept: [] }); // top-level boxes come in file order
    const meta = this.meta(top);
    this.collectKeptItems(meta);
    this.readSequence(top);
    this.checkNoSharedData();
    this.neutralizeTopLevel(top);
    this.neutralizeItems();
    this.zeroMediaData();
    this.copy.seal();
    for (const { item, ranges } of this.pending) {
      if (ranges.some((r) => this.copy.changed(r.start, r.end))) this.f.removeItem(item);
    }
    if (dataEnd < this.n) this.f.remove('trailer', 'trailer', dataEnd, this.n - dataEnd, 'data after the last box');
    for (const item of this.movie.report.removed) this.f.removeItem(item);
    for (const item of this.movie.report.kept) this.f.keepItem(item);
    const output = writeCompactHeif(this.compactPlan(top, meta), this.fail);
    const plan: Plan = { output, removed: this.f.removed, kept: this.f.kept };
    const orientation = this.exifOrientation();
    if (orientation !== undefined) plan.orientation = orientation;
    return plan;
  }

  /** What the compact writer keeps: the kept items, their references and properties, the meta boxes they need. */
  private compactPlan(top: Box[], meta: Box): CompactPlan {
    const kept = (id: number) => this.keptItems.has(id);
    const properties = this.properties.map((box, i) => {
      if (this.fates[i] !== 'keep') return undefined;
      const profile = box.type === 'colr' && ICC_COLOUR_TYPES.has(colourType(this.input, box)) ? this.profileOf(box) : undefined;
      if (profile === undefined || 'refused' in profile || profile.removed.length === 0) return this.copy.bytes.subarray(box.offset, box.end);
      // The rewritten profile without the padding that kept it in place.
      const start = box.start + COLOUR_TYPE_SIZE;
      const unpadded = keepIccProfile(this.input, start, box.end, { verbatim: false });
      const bytes = 'refused' in unpadded ? profile.bytes : unpadded.bytes;
      const out = new Uint8Array(BOX_HEADER_SIZE + COLOUR_TYPE_SIZE + bytes.length);
      out.set(this.copy.bytes.subarray(box.offset, box.start + COLOUR_TYPE_SIZE));
      out.set(bytes, BOX_HEADER_SIZE + COLOUR_TYPE_SIZE);
      new DataView(out.buffer).setUint32(0, out.length);
      return out;
    });
    return {
      bytes: this.copy.bytes,
      ftyp: top[0],
      meta,
      hdlr: this.metaBoxes.get('hdlr')!,
      pitm: this.metaBoxes.get('pitm')!,
      dinf: this.keptDinf,
      idat: this.idat?.box,
      movie: this.movie,
      items: [...this.items.values()].filter((info) => kept(info.id)),
      locations: this.locations,
      references: this.keptReferences,
      properties,
      associations: this.associations,
    };
  }

  /**
   * The EXIF orientation the input's first Exif item states (23008-12 A.2.1:
   * a 32-bit offset to the TIFF header, then the Exif block), for
   * `inspectImage()`. HEIF's own rotation is `irot`/`imir`, always kept.
   */
  private exifOrientation(): number | undefined {
    for (const info of this.items.values()) {
      if (info.type !== 'Exif') continue;
      const location = this.locations.get(info.id);
      if (location?.method !== 0 || location.extents.length !== 1) return undefined;
      const { start, end } = location.extents[0];
      if (!(end > start + 4 && end <= this.n)) return undefined;
      const tiffStart = start + 4 + u32be(this.input, start);
      return tiffStart < end ? readOrientation(this.input, tiffStart, end) : undefined;
    }
    return undefined;
  }

  private drop(kind: MetadataKind, container: string, offset: number, length: number, ranges: Extent[], label?: string): void {
    const item: MetadataItem = label === undefined ? { kind, container, offset, length } : { kind, container, offset, length, label };
    this.pending.push({ item, ranges });
  }

  /** Neutralizes a whole box and reports it when that changed anything. */
  private dropBox(box: Box, kind: MetadataKind, container: string, label?: string): void {
    this.copy.free(box);
    this.drop(kind, container, box.offset, box.end - box.offset, [{ start: box.offset, end: box.end }], label);
  }

  /**
   * The top-level boxes. Bytes that cannot start a box start the trailer:
   * fewer than 8 left, a type that is not four printable characters, or a
   * box other than `meta`/`mdat` running past the end (appended data whose
   * first bytes happen to look like a header). A `meta` or `mdat` running
   * past the end is a cut file: `TRUNCATED`.
   */
  private topLevel(): { top: Box[]; dataEnd: number } {
    const { input, n } = this;
    const top: Box[] = [];
    let at = 0;
    while (at < n) {
      if (n - at < BOX_HEADER_SIZE || !isPrintableType(input, at + 4)) break;
      this.budget.take(at);
      const type = fourCC(input, at + 4);
      const declared = u32be(input, at);
      const pastEnd = declared > n - at || (declared === LARGESIZE && n - at >= LARGE_HEADER_SIZE && u64be(input, at + BOX_HEADER_SIZE) > n - at);
      if (pastEnd && top.length > 0 && !NEEDED_TOP_LEVEL.has(type)) break;
      const box = readBox(input, at, n, this.fail, true);
      if (box.type === 'moof') this.fail('UNSUPPORTED_FORMAT', FRAGMENTED_REFUSAL, at);
      if (box.type === 'moov' && top.some((b) => b.type === 'moov')) this.fail('MALFORMED', 'Two moov boxes', at);
      if (box.type === 'ftyp' && top.length > 0) this.fail('MALFORMED', 'ftyp is not the first box', at);
      top.push(box);
      at = box.end;
    }
    if (top.length === 0 || top[0].type !== 'ftyp') this.fail('MALFORMED', 'The file does not start with an ftyp box', 0);
    return { top, dataEnd: at };
  }

  /** Reads `meta` and its item structures; neutralizes the children that are not allowlisted. */
  private meta(top: Box[]): Box {
    const metas = top.filter((box) => box.type === 'meta');
    if (metas.length === 0 && top.some((box) => box.type === 'moov')) this.fail('UNSUPPORTED_FORMAT', SEQUENCE_WITHOUT_STILL_REFUSAL, 0);
    if (metas.length !== 1) this.fail('MALFORMED', `Expected one top-level meta box, found ${metas.length}`, metas[1]?.offset ?? 0);
    const meta = metas[0];
    if (meta.end - meta.start < FULL_BOX_HEADER_SIZE) this.fail('MALFORMED', 'meta box is too short', meta.offset);
    const found = new Map<string, Box>();
    for (const child of childBoxes(this.input, meta.start + FULL_BOX_HEADER_SIZE, meta.end, this.fail, this.budget)) {
      if (!META_KEPT.has(child.type)) {
        this.dropBox(child, 'unknown', `meta/${printableType(child.type)}`);
        continue;
      }
      if (found.has(child.type)) this.fail('MALFORMED', `Two ${child.type} boxes in meta`, child.offset);
      found.set(child.type, child);
    }
    this.metaBoxes = found;
    const need = (type: string) => found.get(type) ?? this.fail('MALFORMED', `meta has no ${type} box`, meta.offset);
    this.handler(need('hdlr'));
    const primary = readPrimaryItem(this.input, need('pitm'), this.fail);
    this.items = readItemInfos(this.input, need('iinf'), this.fail, this.budget);
    this.locations = readItemLocations(this.input, need('iloc'), this.fail);
    const iref = found.get('iref');
    if (iref) this.references = readReferences(this.input, iref, this.fail, this.budget);
    const iprp = found.get('iprp');
    if (iprp) this.itemProperties(iprp);
    const idat = found.get('idat');
    if (idat) this.idat = { box: idat, kept: [] };
    const dinf = found.get('dinf');
    if (dinf && !isSelfContained(this.input, dinf, this.fail, this.budget)) this.dropBox(dinf, 'unknown', 'dinf', 'external data reference');
    else this.keptDinf = dinf;
    if (!this.items.has(primary)) this.fail('MALFORMED', `The primary item ${primary} has no infe entry`, meta.offset);
    this.keptItems.add(primary);
    return meta;
  }

  /** `hdlr` (14496-12 8.4.3): must say `pict`; its reserved fields and name are zeroed. */
  private handler(hdlr: Box): void {
    const c = new Cursor(this.input, hdlr, this.fail);
    c.fullBox();
    c.u32(); // pre_defined
    if (c.fourCC() !== HANDLER_PICTURE) this.fail('UNSUPPORTED_FORMAT', 'The meta handler is not pict: not a still image', hdlr.offset);
    const from = hdlr.start + HDLR_RESERVED_AT;
    this.copy.zero(from, hdlr.end);
    this.drop('text', 'hdlr', hdlr.offset, hdlr.end - hdlr.offset, [{ start: from, end: hdlr.end }], 'handler name');
  }

  /** `iprp` (23008-12 9.3): one `ipco`, any number of `ipma`; anything else is neutralized. */
  private itemProperties(iprp: Box): void {
    let ipco: Box | undefined;
    for (const child of childBoxes(this.input, iprp.start, iprp.end, this.fail, this.budget)) {
      if (child.type === 'ipco' && ipco === undefined) {
        ipco = child;
        this.properties = childBoxes(this.input, child.start, child.end, this.fail, this.budget);
      } else if (child.type === 'ipma') {
        readAssociations(this.input, child, this.fail, this.associations);
      } else {
        this.dropBox(child, 'unknown', `iprp/${printableType(child.type)}`);
      }
    }
  }

  private property(index: number): Box | undefined {
    return index >= 1 ? this.properties[index - 1] : undefined;
  }

  /** What happens to a property: kept, an ICC profile dropped on request, free space, or unknown (neutralized). */
  private propertyFate(box: Box): 'keep' | 'icc' | 'free' | 'unknown' {
    if (FREE_SPACE.has(box.type)) return 'free';
    if (!PROPERTIES_KEPT.has(box.type)) return 'unknown';
    if (box.type !== 'colr') return 'keep';
    const colour = colourType(this.input, box);
    if (colour === NCLX) return 'keep';
    if (ICC_COLOUR_TYPES.has(colour)) return this.options.keepColorProfile && !('refused' in this.profileOf(box)) ? 'keep' : 'icc';
    return 'unknown';
  }

  /**
   * An ICC `colr` property's profile as the output carries it. Nothing moves
   * in a HEIF, so the rewritten profile keeps the original's size (padded
   * with zeros after its tag data). Remembered: items share properties.
   */
  private profileOf(colr: Box): KeptProfile {
    let profile = this.profiles.get(colr);
    if (profile === undefined) {
      const start = colr.start + COLOUR_TYPE_SIZE;
      profile = keepIccProfile(this.input, start, colr.end, { verbatim: this.options.keepColorProfileVerbatim, size: colr.end - start });
      this.profiles.set(colr, profile);
    }
    return profile;
  }

  /** The `auxC` aux_type of an item, or '' when it has none. Remembered: many references may ask about one item with many associations. */
  private auxType(id: number): string {
    const known = this.auxTypes.get(id);
    if (known !== undefined) return known;
    let type = '';
    for (const { index } of this.associations.get(id) ?? []) {
      const box = this.property(index);
      if (box?.type === 'auxC') {
        type = auxiliaryType(this.input, box);
        break;
      }
    }
    this.auxTypes.set(id, type);
    return type;
  }

  /** The primary item and, recursively, what it derives from (`dimg`) and its alpha planes (`auxl`). Visits each item once. */
  private collectKeptItems(meta: Box): void {
    const { derivedFrom } = this;
    const auxiliaryOf = new Map<number, Reference[]>();
    for (const r of this.references) {
      if (r.type === 'dimg') append(derivedFrom, r.from, r);
      if (r.type === 'auxl') for (const to of new Set(r.to)) append(auxiliaryOf, to, r);
    }
    const queue = [...this.keptItems];
    const keep = (id: number) => {
      if (this.keptItems.has(id)) return;
      this.keptItems.add(id);
      queue.push(id);
    };
    while (queue.length > 0) {
      const id = queue.pop()!;
      for (const r of derivedFrom.get(id) ?? []) r.to.forEach(keep);
      for (const r of auxiliaryOf.get(id) ?? []) if (ALPHA_AUX_TYPES.has(this.auxType(r.from))) keep(r.from);
    }
    for (const id of this.keptItems) this.checkKeptItem(id, meta);
  }

  /** A kept item must be an image we can judge, unencrypted, with its data inside `mdat` or `idat`. */
  private checkKeptItem(id: number, meta: Box): void {
    const info = this.items.get(id) ?? this.fail('MALFORMED', `Item ${id} is referenced but has no infe entry`, meta.offset);
    const at = info.infe.offset;
    if (!IMAGE_ITEM_TYPES.has(info.type)) this.fail('UNSUPPORTED_FORMAT', `A ${printableType(info.type) || 'untyped'} image item is not supported`, at);
    if (info.protection !== 0) this.fail('UNSUPPORTED_FORMAT', `Item ${id} is protected (encrypted)`, at);
    for (const { index, essential } of this.associations.get(id) ?? []) {
      if (index === 0) continue;
      const box = this.property(index) ?? this.fail('MALFORMED', `Item ${id} is associated with property ${index}, past the end of ipco`, at);
      const fate = this.propertyFate(box);
      if (essential && fate === 'unknown') this.fail('UNSUPPORTED_FORMAT', `Item ${id} needs the ${printableType(box.type)} property`, box.offset);
      if (fate === 'keep' && !fillsExactly(this.input, box)) this.fail('MALFORMED', `The ${printableType(box.type)} property of item ${id} holds bytes beyond its fields`, box.offset);
    }
    const location = this.locations.get(id);
    const extents = location?.extents ?? [];
    if (info.type === 'iden') {
      if (extents.some((e) => e.end !== e.start)) this.fail('MALFORMED', `Identity item ${id} carries data`, at);
      return;
    }
    if (location === undefined || extents.length === 0) this.fail('MALFORMED', `Image item ${id} has no data`, at);
    if (location.method === 2) this.fail('UNSUPPORTED_FORMAT', `Item ${id} is built from other items (construction method 2)`, at);
    if (location.method > 2) this.fail('MALFORMED', `Item ${id} has construction method ${location.method}`, at);
    if (location.dataReference !== 0) this.fail('UNSUPPORTED_FORMAT', `Item ${id} lies in another file`, at);
    for (const extent of extents) {
      if (extent.end === extent.start) this.fail('UNSUPPORTED_FORMAT', `Item ${id} has an extent of implicit length`, at);
      this.regionOf(location.method, extent, `Item ${id}`).kept.push(this.absolute(location.method, extent));
    }
    if (info.type === 'grid' || info.type === 'iovl') this.checkDerivedData(info, location);
  }

  /**
   * A kept item's or track's data must not overlap the data of an item or
   * track that goes (an Exif block, a depth map, a timed metadata track): the
   * overlap would be copied as "image data". Real files never share bytes
   * between these (a still item may share the first frame's, both kept);
   * such a file is `MALFORMED`.
   * Sorted sweep: O(k log k) in the number of extents.
   */
  private checkNoSharedData(): void {
    const kept: Extent[] = [];
    const removed: Extent[] = [];
    for (const location of this.locations.values()) {
      if (location.method > 1 || (location.method === 1 && this.idat === undefined)) continue;
      const target = this.keptItems.has(location.id) ? kept : removed;
      for (const extent of location.extents) {
        if (extent.end > extent.start) target.push(this.absolute(location.method, extent));
      }
    }
    kept.push(...this.movie.kept);
    removed.push(...this.movie.removed);
    if (kept.length === 0 || removed.length === 0) return;
    kept.sort((a, b) => a.start - b.start);
    removed.sort((a, b) => a.start - b.start);
    for (let k = 0, r = 0; k < kept.length && r < removed.length; ) {
      if (kept[k].end <= removed[r].start) k++;
      else if (removed[r].end <= kept[k].start) r++;
      else this.fail('MALFORMED', 'Image data of a kept item or track overlaps the data of a removed item or track', kept[k].start);
    }
  }

  /** The image sequence, rebuilt (`heif/movie.ts`); its kept chunks must lie in an `mdat` like item data. */
  private readSequence(top: Box[]): void {
    const moov = top.find((box) => box.type === 'moov');
    if (moov === undefined) return;
    this.movie = readMovie(this.input, moov, this.options, this.fail, this.budget);
    for (const chunk of this.movie.kept) this.regionOf(0, chunk, 'A track chunk').kept.push(chunk);
  }

  /** The data region that wholly holds a kept extent; anything else (past the end, across boxes, outside `mdat`) is `MALFORMED`. */
  private regionOf(method: number, extent: Extent, what: string): DataRegion {
    if (method === 1) {
      const idat = this.idat ?? this.fail('MALFORMED', `${what} lies in idat, but meta has none`, 0);
      if (extent.end > idat.box.end - idat.box.start) this.fail('MALFORMED', `${what} runs past the end of idat`, idat.box.offset);
      return idat;
    }
    const region = this.mdatAt(extent.start);
    if (region !== undefined && extent.end <= region.box.end) return region;
    return this.fail('MALFORMED', `${what} lies outside every mdat (or runs past the end)`, Math.min(extent.start, this.n));
  }

  /** The `mdat` whose payload holds `offset`, by binary search. */
  private mdatAt(offset: number): DataRegion | undefined {
    const { mdats } = this;
    let low = 0;
    let high = mdats.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const { box } = mdats[mid];
      if (offset < box.start) high = mid - 1;
      else if (offset >= box.end) low = mid + 1;
      else return mdats[mid];
    }
    return undefined;
  }

  private absolute(method: number, extent: Extent): Extent {
    if (method !== 1 || this.idat === undefined) return extent;
    const base = this.idat.box.start;
    return { start: base + extent.start, end: base + extent.end };
  }

  /** `grid` and `iovl` data is a fixed structure (23008-12 6.6.2.3.2, 6.6.2.2.2): its size must be exactly what the fields need. */
  private checkDerivedData(info: ItemInfo, location: ItemLocation): void {
    const first = this.absolute(location.method, location.extents[0]);
    const size = location.extents.reduce((sum, e) => sum + (e.end - e.start), 0);
    if (first.end - first.start < 2) this.fail('MALFORMED', `${info.type} item ${info.id} is too short`, first.start);
    const version = this.input[first.start];
    const fieldSize = this.input[first.start + 1] & LARGE_FIELDS ? 4 : 2;
    let expected = GRID_FIXED_SIZE + 2 * fieldSize;
    if (info.type === 'iovl') {
      const inputs = (this.derivedFrom.get(info.id) ?? []).reduce((sum, r) => sum + r.to.length, 0);
      expected = OVERLAY_FIXED_SIZE + 2 * fieldSize + inputs * 2 * fieldSize;
    }
    if (version !== 0 || size !== expected) this.fail('MALFORMED', `${info.type} item ${info.id} is not a version 0 structure of ${expected} bytes`, first.start);
  }

  /** Registers the `mdat` boxes (before items are checked) and neutralizes every top-level box that is not allowlisted. */
  /**
   * `ftyp` (14496-12 4.3): major brand, minor version, compatible brands. The
   * brand list has no length limit, so it could carry text: a compatible
   * brand this walker does not know is overwritten with the major brand
   * (same size, nothing moves), and the minor version is zeroed.
   */
  private neutralizeBrands(ftyp: Box): void {
    const { input } = this;
    if (ftyp.end - ftyp.start < FTYP_FIXED_SIZE) this.fail('MALFORMED', 'ftyp box is too short', ftyp.offset);
    const major = input.subarray(ftyp.start, ftyp.start + 4);
    const changes: Extent[] = [{ start: ftyp.start + 4, end: ftyp.start + 8 }];
    this.copy.zero(ftyp.start + 4, ftyp.start + 8);
    for (let at = ftyp.start + FTYP_FIXED_SIZE; at + 4 <= ftyp.end; at += 4) {
      if (KNOWN_BRANDS.has(fourCC(input, at))) continue;
      this.copy.write(at, major);
      changes.push({ start: at, end: at + 4 });
    }
    if ((ftyp.end - ftyp.start) % 4 !== 0) this.fail('MALFORMED', 'ftyp brand list is not whole brands', ftyp.offset);
    this.drop('unknown', 'ftyp', ftyp.offset, ftyp.end - ftyp.offset, changes, 'unknown brands, minor version');
  }

  private neutralizeTopLevel(top: Box[]): void {
    this.neutralizeBrands(top[0]);
    for (const box of top) {
      if (FREE_SPACE.has(box.type)) {
        this.copy.zero(box.start, box.end);
        this.drop('unknown', box.type, box.offset, box.end - box.offset, [{ start: box.start, end: box.end }], 'free space');
      } else if (!TOP_LEVEL_KEPT.has(box.type)) {
        const known = TOP_LEVEL_KINDS[box.type];
        this.dropBox(box, known?.kind ?? 'unknown', printableType(box.type), known?.label);
      }
    }
  }

  /** Zeroes every `infe` string, neutralizes item references and properties, and reports each removed item. */
  private neutralizeItems(): void {
    const { copy, keptItems } = this;
    const thumbnails = new Set(this.references.filter((r) => r.type === 'thmb').map((r) => r.from));
    const auxiliaries = new Set(this.references.filter((r) => r.type === 'auxl').map((r) => r.from));
    for (const info of this.items.values()) {
      const text: Extent = { start: info.textStart, end: info.infe.end };
      copy.zero(text.start, text.end);
      if (keptItems.has(info.id)) {
        this.drop('text', 'infe', info.infe.offset, info.infe.end - info.infe.offset, [text], `item name, item ${info.id}`);
        continue;
      }
      // The removed item is renamed `free`: readers neither show it as an image nor find an Exif or XMP item.
      if (info.typeAt >= 0) copy.writeFree(info.typeAt);
      const named: Extent = info.typeAt >= 0 ? { start: info.typeAt, end: info.infe.end } : text;
      const { kind, container, label } = this.describe(info, thumbnails, auxiliaries);
      this.dropItemData(info.id, kind, container, label, { start: info.infe.offset, end: info.infe.end }, named);
    }
    // Data located by iloc for an id that iinf does not declare: zeroed like any other, and reported.
    for (const id of this.locations.keys()) {
      if (!this.items.has(id)) this.dropItemData(id, 'unknown', 'iloc entry', `item ${id}`);
    }
    for (const r of this.references) {
      const keep = REFERENCES_KEPT.has(r.type) && keptItems.has(r.from) && r.to.every((id) => keptItems.has(id));
      if (keep && (r.type !== 'auxl' || ALPHA_AUX_TYPES.has(this.auxType(r.from)))) {
        this.keptReferences.push(r);
        continue;
      }
      // Same size, parseable as a reference from item 0 to items 0: readers that walk iref without box ranges still line up.
      copy.retype(r.box);
      copy.zero(r.fieldsStart, r.fieldsStart + r.idSize);
      copy.zero(r.fieldsStart + r.idSize + 2, r.box.end);
    }
    // Properties no kept item uses (a thumbnail's hvcC, a gain map's auxC, ...) go as well.
    const used = new Set<number>();
    for (const id of keptItems) for (const { index } of this.associations.get(id) ?? []) used.add(index);
    const fates = this.properties.map((box, i) => (used.has(i + 1) || FREE_SPACE.has(box.type) ? this.propertyFate(box) : 'unused'));
    this.fates = fates;
    // An association marked essential to a property that is no longer there would stop readers: the flag is cleared.
    // (A kept item that essentially needs an unknown property was refused earlier.)
    const essentialTo = new Map<number, Extent[]>();
    for (const list of this.associations.values()) {
      for (const { index, essential, at } of list) {
        if (!essential || index < 1 || index > fates.length || fates[index - 1] === 'keep') continue;
        copy.clearBits(at, ESSENTIAL_BIT);
        append(essentialTo, index, { start: at, end: at + 1 });
      }
    }
    this.properties.forEach((box, i) => {
      const fate = fates[i];
      const ranges = [{ start: box.offset, end: box.end }, ...(essentialTo.get(i + 1) ?? [])];
      const colour = box.type === 'colr' ? colourType(this.input, box) : '';
      if (fate === 'keep' && ICC_COLOUR_TYPES.has(colour)) {
        this.rewriteProfile(box);
        this.reportKeptProperty(box);
      } else if (fate === 'keep') {
        this.reportKeptProperty(box);
      } else if (fate === 'free') {
        copy.zero(box.start, box.end);
      } else if (fate === 'icc' || (fate === 'unused' && ICC_COLOUR_TYPES.has(colour))) {
        copy.free(box);
        const refused = this.options.keepColorProfile && fate === 'icc' ? this.profileOf(box) : undefined;
        const why = refused !== undefined && 'refused' in refused ? `${colour}, ${refused.refused}` : colour;
        this.drop('icc', 'colr', box.offset, box.end - box.offset, ranges, fate === 'icc' ? why : `${colour}, not used by the kept image`);
      } else {
        copy.free(box);
        const label = fate === 'unused' ? 'not used by the kept image' : undefined;
        this.drop('unknown', `ipco/${printableType(box.type)}`, box.offset, box.end - box.offset, ranges, label);
      }
    });
  }

  /** Writes a kept ICC profile without its text over the original (same size) and reports the text when it changed anything. */
  private rewriteProfile(colr: Box): void {
    const profile = this.profileOf(colr);
    if ('refused' in profile || profile.removed.length === 0) return;
    const start = colr.start + COLOUR_TYPE_SIZE;
    this.copy.write(start, profile.bytes);
    this.drop('text', 'colr', colr.offset, colr.end - colr.offset, [{ start, end: colr.end }], `ICC profile: ${profile.removed.join(', ')}`);
  }

  /** Reports a removed item: where its data starts and how long it is (its `infe` when it has no data). Its data is zeroed with the rest of mdat/idat. */
  private dropItemData(id: number, kind: MetadataKind, container: string, label: string, infe?: Extent, named?: Extent): void {
    const location = this.locations.get(id);
    const usable = location !== undefined && (location.method === 0 || (location.method === 1 && this.idat !== undefined));
    const data = usable ? location.extents.map((e) => this.absolute(location.method, e)) : [];
    const whole = data.length > 0 ? { start: data[0].start, end: data[0].start + data.reduce((sum, e) => sum + (e.end - e.start), 0) } : infe;
    const offset = Math.min(whole?.start ?? 0, this.n);
    const length = Math.min((whole?.end ?? 0) - offset, this.n - offset);
    this.drop(kind, container, offset, length, named ? [...data, named] : data, label);
  }

  private reportKeptProperty(box: Box): void {
    const length = box.end - box.offset;
    if (box.type === 'colr' && colourType(this.input, box) !== NCLX) {
      this.f.keep('icc', 'colr', box.offset, length, colourType(this.input, box));
    } else if (box.type === 'colr') {
      this.f.keep('color', 'colr', box.offset, length, NCLX);
    } else if (box.type === 'irot' || box.type === 'imir') {
      this.f.keep('orientation', box.type, box.offset, length, box.type === 'irot' ? 'rotation' : 'mirror');
    }
  }

  /** What a removed item is, for the report. */
  private describe(info: ItemInfo, thumbnails: Set<number>, auxiliaries: Set<number>): { kind: MetadataKind; container: string; label: string } {
    const label = `item ${info.id}`;
    if (info.type === 'Exif') return { kind: 'exif', container: 'Exif item', label };
    if (info.type === 'mime') {
      const xmp = info.contentType === 'application/rdf+xml' || /xmp/i.test(info.contentType);
      return { kind: xmp ? 'xmp' : 'unknown', container: 'mime item', label: xmp ? `XMP, ${label}` : label };
    }
    if (thumbnails.has(info.id)) return { kind: 'thumbnail', container: 'thmb item', label };
    if (auxiliaries.has(info.id)) {
      const aux = this.auxType(info.id);
      return { kind: 'secondary-image', container: 'auxl item', label: `${AUX_LABELS[aux] ?? 'auxiliary image'}, ${label}` };
    }
    const container = `${printableType(info.type) || 'untyped'} item`;
    if (IMAGE_ITEM_TYPES.has(info.type) || info.type === 'tmap') return { kind: 'secondary-image', container, label };
    return { kind: 'unknown', container, label };
  }

  /** Zeroes every `mdat`/`idat` byte outside kept extents; reports media data no item or track declares. */
  private zeroMediaData(): void {
    const all = new Map<DataRegion, Extent[]>();
    for (const location of this.locations.values()) {
      if (location.method > 1) continue;
      for (const extent of location.extents) {
        const e = this.absolute(location.method, extent);
        const region = location.method === 1 ? this.idat : this.mdatAt(e.start);
        if (region) append(all, region, e);
      }
    }
    for (const chunk of [...this.movie.kept, ...this.movie.removed]) {
      const region = this.mdatAt(chunk.start);
      if (region) append(all, region, chunk);
    }
    const regions = this.idat ? [...this.mdats, this.idat] : this.mdats;
    for (const region of regions) {
      const { box } = region;
      for (const gap of gaps(box.start, box.end, region.kept)) this.copy.zero(gap.start, gap.end);
      const unreferenced = gaps(box.start, box.end, all.get(region) ?? []);
      this.drop('unknown', box.type, box.offset, box.end - box.offset, unreferenced, 'media data no item or track uses');
    }
  }
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** `[from, to)` minus the union of `ranges`, in order. Sorting keeps it O(k log k). */
function gaps(from: number, to: number, ranges: Extent[]): Extent[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: Extent[] = [];
  let at = from;
  for (const r of sorted) {
    if (r.start > at) out.push({ start: at, end: Math.min(r.start, to) });
    at = Math.max(at, r.end);
    if (at >= to) return out;
  }
  if (at < to) out.push({ start: at, end: to });
  return out;
}

function isPrintableType(input: Uint8Array, at: number): boolean {
  for (let i = at; i < at + 4; i++) if (input[i] < 0x20 || input[i] > 0x7e) return false;
  return true;
}

function heifHandler(format: ImageFormat): FormatHandler {
  return {
    format,
    plan(input: Uint8Array, options: ResolvedOptions): Plan {
      return new HeifWalker(input, options, format).walk();
    },
  };
}

export const heic: FormatHandler = /* @__PURE__ */ heifHandler('heic');
export const avif: FormatHandler = /* @__PURE__ */ heifHandler('avif');
