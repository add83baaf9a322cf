/**
 * The image sequence of a HEIF/AVIF file (`moov`, ISO/IEC 14496-12 8.2,
 * ISO/IEC 23008-12 clause 7), read and written again with only what
 * playback needs (`movie-boxes.ts`): the movie and track headers with their
 * times zeroed, the visual tracks' sample descriptions and sample tables,
 * handler names and compressor names empty. `udta`, `meta`, non-visual
 * tracks and every unlisted box are removed. The samples themselves are not
 * touched: the caller copies each kept chunk byte for byte into the compact
 * `mdat` and writes its new offset into the rebuilt `stco`.
 *
 * Positions: a box's `offset` is where its size field starts, `start` where
 * its payload starts, `end` one past it (`box.ts`). Chunk offsets are the
 * input's until the caller rewrites them.
 */
import { fourCC, u32be } from '../../bytes/read.js';
import { asciiBytes, writeU32be } from '../../bytes/write.js';
import type { ResolvedOptions } from '../../options.js';
import type { MetadataItem, MetadataKind } from '../../types.js';
import { keepIccProfile } from '../../metadata/icc.js';
import { type Box, type BoxBudget, BOX_HEADER_SIZE, childBoxes, type Fail, FULL_BOX_HEADER_SIZE, printableType } from './box.js';
import { auxiliaryType, colourType, Cursor, type Extent, isSelfContained } from './items.js';
import { MOVIE_BOXES, MOVIE_REMOVED, SAMPLE_ENTRY, SAMPLE_ENTRY_TYPES, TRACK_REFERENCES_KEPT, VISUAL_HANDLERS } from './movie-boxes.js';
import { fillsExactly } from './properties.js';
import { readChunks } from './samples.js';

/** Why a fragmented movie (`mvex` in `moov`, top-level `moof`) is refused rather than cleaned. */
export const FRAGMENTED_REFUSAL =
  'Fragmented image sequences (mvex/moof) are refused: their samples are located by movie fragments (moof/traf/trun), which this sanitizer does not rewrite';

/** 8.2.2, 8.3.2, 8.4.2: payload sizes (FullBox header included) by version, and where the two times lie. */
const HEADER_SIZES: Readonly<Record<string, readonly [number, number]>> = { mvhd: [100, 112], tkhd: [84, 96], mdhd: [24, 36] };
const TIMES_AT = FULL_BOX_HEADER_SIZE; // creation_time, then modification_time: 32 bits each (version 0) or 64 (version 1)
const TKHD_TRACK_ID_AT = { 0: FULL_BOX_HEADER_SIZE + 8, 1: FULL_BOX_HEADER_SIZE + 16 } as const;
const VMHD_SIZE = FULL_BOX_HEADER_SIZE + 8; // 12.1.2: graphicsmode, opcolor[3]
const ELST_ENTRY_SIZES = [12, 20]; // 8.6.6: duration, media_time, media_rate (version 0 / 1)
const HDLR_TYPE_AT = FULL_BOX_HEADER_SIZE + 4; // after pre_defined
const HDLR_FIXED = FULL_BOX_HEADER_SIZE + 20; // pre_defined, handler_type, reserved[3]

/** 12.1.3 VisualSampleEntry: the fields before its child boxes, and the ones carried over. */
const VISUAL_ENTRY_SIZE = 78;
const DATA_REFERENCE_AT = 6;
const DIMENSIONS_AT = 24; // width, height, horizresolution, vertresolution: 12 bytes
const FRAME_COUNT_AT = 40;
const COMPRESSOR_NAME_AT = 42; // 32 bytes: a length byte, then the name
const DEPTH_AT = 74;
const PRE_DEFINED_LAST_AT = 76; // pre_defined = -1
const CCST_SIZE = FULL_BOX_HEADER_SIZE + 4; // 23008-12 7.2.3: flags and reserved bits, 32 in all
const ALPHA_URN = 'urn:mpeg:mpegB:cicp:systems:auxiliary:alpha';
const ALPHA_AUX_TYPES = new Set([ALPHA_URN, 'urn:mpeg:hevc:2015:auxid:1']);
const ICC_COLOUR_TYPES = new Set(['prof', 'rICC']);
const CONFIGURATION: Readonly<Record<string, string>> = { av01: 'av1C', hvc1: 'hvcC', hev1: 'hvcC' };
/** Sample entries of protected or restricted media (14496-12 8.12, 8.15): the samples are not plain coded images. */
const PROTECTED_ENTRIES = new Set(['encv', 'resv']);

/** What `readMovie` hands back. */
export interface Movie {
  /** The rebuilt `moov`; undefined when no track was kept. */
  bytes: Uint8Array | undefined;
  /** Where each chunk offset is written in `bytes`, and the input chunk it locates (an empty chunk's offset is written 0). */
  chunkOffsets: { at: number; chunk: Extent }[];
  /** The kept tracks' non-empty chunks: copied byte for byte. */
  kept: Extent[];
  /** The removed tracks' non-empty chunks: never copied. */
  removed: Extent[];
  /** What went and what stayed, for the report. */
  report: { removed: MetadataItem[]; kept: MetadataItem[] };
}

/** A box to write: bytes as they are, a box of parts, or a chunk offset table (`stco`) filled in later. */
type Part = Uint8Array | { type: string; parts: Part[] } | { chunks: Extent[] };

interface Track {
  id: number;
  parts: Part[];
  /** `auxl` references (tref) to check once every track is known, and where `tref` goes among the parts. */
  references: { box: Box; to: number[] }[];
  trefAt: number;
  chunks: Extent[];
}

/** What decides whether a track stays, read before anything is reported. */
interface TrackLayout {
  trak: Box;
  id: number;
  handler: string;
  tref: Box | undefined;
  entries: Box[];
  /** Every chunk, checked against the sample tables (`samples.ts`). */
  chunks: Extent[];
}

class MovieReader {
  private readonly report: Movie['report'] = { removed: [], kept: [] };

  constructor(
    private readonly input: Uint8Array,
    private readonly options: ResolvedOptions,
    private readonly fail: Fail,
    private readonly budget: BoxBudget,
  ) {}

  read(moov: Box): Movie {
    const parts: Part[] = [];
    const layouts: TrackLayout[] = [];
    let header = false;
    for (const child of this.children(moov, 'moov')) {
      if (child.type === 'mvhd') {
        if (header) this.fail('MALFORMED', 'Two mvhd boxes in moov', child.offset);
        header = true;
        parts.push(this.timedHeader(child));
      } else {
        layouts.push(this.layout(child));
      }
    }
    if (!header) this.fail('MALFORMED', 'moov has no mvhd box', moov.offset);
    const ids = new Set(layouts.map((t) => t.id));
    if (ids.size !== layouts.length) this.fail('MALFORMED', 'Two tracks have the same track_ID', moov.offset);
    const fates = this.fates(layouts);
    const tracks: Track[] = [];
    const removed: Extent[] = [];
    layouts.forEach((layout, i) => {
      const fate = fates[i];
      if (fate === 'keep') tracks.push(this.track(layout));
      else {
        this.remove(layout.handler === 'auxv' ? 'secondary-image' : 'unknown', 'trak', layout.trak, fate);
        removed.push(...layout.chunks.filter(nonEmpty));
      }
    });
    const kept = new Set(tracks.map((t) => t.id));
    for (const track of tracks) this.trackReferences(track, kept);
    if (tracks.length === 0) {
      this.remove('unknown', 'moov', moov, 'image sequence without an image track');
      return { bytes: undefined, chunkOffsets: [], kept: [], removed, report: this.report };
    }
    for (const track of tracks) parts.push({ type: 'trak', parts: track.parts });
    const chunkOffsets: Movie['chunkOffsets'] = [];
    const bytes = serialize({ type: 'moov', parts }, chunkOffsets);
    return { bytes, chunkOffsets, kept: tracks.flatMap((t) => t.chunks.filter(nonEmpty)), removed, report: this.report };
  }

  /**
   * Which tracks stay: `pict`/`vide` tracks, and `auxv` tracks whose every
   * sample entry names an alpha plane and whose `auxl` reference (23008-12
   * 7.5.3) names only kept `pict`/`vide` tracks; an alpha plane without its
   * master track goes with it. Each other track's reason for the report.
   */
  private fates(layouts: TrackLayout[]): ('keep' | string)[] {
    const main = new Set(layouts.filter((t) => t.handler === 'pict' || t.handler === 'vide').map((t) => t.id));
    return layouts.map((t) => {
      if (!VISUAL_HANDLERS.has(t.handler)) return `${t.handler} track`;
      if (t.handler !== 'auxv') return 'keep';
      if (!t.entries.every((entry) => this.isAlpha(entry))) return 'auxiliary track that is not an alpha plane';
      const masters = t.tref === undefined ? [] : this.auxlTargets(t.tref);
      return masters.some((to) => to.length > 0 && to.every((id) => main.has(id))) ? 'keep' : 'alpha track whose master track is removed or missing';
    });
  }

  /** The track id lists of the `auxl` boxes in `tref`, read without reporting anything. */
  private auxlTargets(tref: Box): number[][] {
    return this.referenceBoxes(tref).flatMap(({ box, to }) => (box.type === 'auxl' && to !== undefined ? [to] : []));
  }

  /** Each box of `tref` (14496-12 8.3.3) with its list of track ids; `undefined` when it is no whole number of them. */
  private referenceBoxes(tref: Box): { box: Box; to: number[] | undefined }[] {
    return childBoxes(this.input, tref.start, tref.end, this.fail, this.budget).map((box) => {
      if ((box.end - box.start) % 4 !== 0) return { box, to: undefined };
      const to: number[] = [];
      for (let at = box.start; at < box.end; at += 4) to.push(u32be(this.input, at));
      return { box, to };
    });
  }

  /** The children of `box` listed under `parent` (`movie-boxes.ts`); every other child is reported and left out. */
  private children(box: Box, parent: string, from = box.start, named = parent): Box[] {
    const kept: Box[] = [];
    for (const child of childBoxes(this.input, from, box.end, this.fail, this.budget)) {
      if (child.type === 'mvex') this.fail('UNSUPPORTED_FORMAT', FRAGMENTED_REFUSAL, child.offset);
      if (MOVIE_BOXES[`${parent}/${child.type}`] !== undefined) kept.push(child);
      else {
        const known = MOVIE_REMOVED[child.type];
        this.remove(known?.kind ?? 'unknown', `${named}/${printableType(child.type)}`, child, known?.label);
      }
    }
    return kept;
  }

  /** The listed children of `box` by type, without reporting the others; a listed type twice is `MALFORMED`. */
  private listed(box: Box, parent: string): Map<string, Box> {
    const found = new Map<string, Box>();
    for (const child of childBoxes(this.input, box.start, box.end, this.fail, this.budget)) {
      if (MOVIE_BOXES[`${parent}/${child.type}`] === undefined) continue;
      if (found.has(child.type)) this.fail('MALFORMED', `Two ${child.type} boxes in ${parent}`, child.offset);
      found.set(child.type, child);
    }
    return found;
  }

  private need(found: Map<string, Box>, type: string, parent: Box): Box {
    return found.get(type) ?? this.fail('MALFORMED', `${parent.type} has no ${type} box`, parent.offset);
  }

  private remove(kind: MetadataKind, container: string, box: Box, label?: string): void {
    const item: MetadataItem = { kind, container, offset: box.offset, length: box.end - box.offset };
    if (label !== undefined) item.label = label;
    this.report.removed.push(item);
  }

  /** Reports `box` when `written` (its new payload) differs from its payload in the input. */
  private rewritten(box: Box, written: Uint8Array, kind: MetadataKind, label: string, container: string = box.type): void {
    const before = this.input.subarray(box.start, box.end);
    if (before.length === written.length && before.every((b, i) => b === written[i])) return;
    this.remove(kind, container, box, label);
  }

  /** `mvhd`, `tkhd`, `mdhd`: fixed fields by version; both times zeroed. */
  private timedHeader(box: Box): Uint8Array {
    const version = this.input[box.start];
    const sizes = HEADER_SIZES[box.type];
    if (version > 1 || box.end - box.start !== sizes[version]) this.fail('MALFORMED', `${box.type} is not a version 0 or 1 box of its fixed size`, box.offset);
    const payload = this.input.slice(box.start, box.end);
    payload.fill(0, TIMES_AT, TIMES_AT + (version === 1 ? 16 : 8));
    this.rewritten(box, payload, 'timestamp', 'creation and modification times');
    return wrap(box.type, payload);
  }

  /** The id, handler, sample tables, sample entries and chunks of a track, read without reporting anything. */
  private layout(trak: Box): TrackLayout {
    const boxes = this.listed(trak, 'trak');
    const tkhd = this.need(boxes, 'tkhd', trak);
    const version = this.input[tkhd.start];
    if (version > 1 || tkhd.end - tkhd.start !== HEADER_SIZES.tkhd[version]) this.fail('MALFORMED', 'tkhd is not a version 0 or 1 box of its fixed size', tkhd.offset);
    const id = u32be(this.input, tkhd.start + TKHD_TRACK_ID_AT[version as 0 | 1]);
    if (id === 0) this.fail('MALFORMED', 'A track has track_ID 0', tkhd.offset);
    const mdia = this.need(boxes, 'mdia', trak);
    const media = this.listed(mdia, 'mdia');
    const hdlr = this.need(media, 'hdlr', mdia);
    if (hdlr.end - hdlr.start < HDLR_FIXED) this.fail('MALFORMED', 'hdlr box is too short', hdlr.offset);
    const handler = printableType(fourCC(this.input, hdlr.start + HDLR_TYPE_AT));
    const minf = this.need(media, 'minf', mdia);
    const stbl = this.need(this.listed(minf, 'minf'), 'stbl', minf);
    const tables = this.listed(stbl, 'stbl');
    const entries = this.sampleEntryBoxes(this.need(tables, 'stsd', stbl));
    const chunks = this.chunks(tables.set('stbl', stbl), entries.length);
    return { trak, id, handler, tref: boxes.get('tref'), entries, chunks };
  }

  /** A kept track (`fates`): its headers with times zeroed, its `auxl` references, its media rebuilt. */
  private track(layout: TrackLayout): Track {
    const { trak, id, handler, chunks } = layout;
    const parts: Part[] = [];
    const references: Track['references'] = [];
    let trefAt = -1;
    for (const box of this.children(trak, 'trak')) {
      if (box.type === 'tkhd') {
        parts.push(this.timedHeader(box));
      } else if (box.type === 'tref') {
        trefAt = parts.length;
        references.push(...this.readTrackReferences(box));
      } else if (box.type === 'edts') {
        const elst = this.children(box, 'edts').map((e) => this.editList(e));
        if (elst.length > 1) this.fail('MALFORMED', 'Two elst boxes in edts', box.offset);
        if (elst.length === 1) parts.push({ type: 'edts', parts: elst });
      } else {
        parts.push(this.media(box, handler, chunks));
      }
    }
    return { id, parts, references, trefAt, chunks };
  }

  /** `tref` (8.3.3): its TrackReferenceTypeBoxes, each a list of 32-bit track ids. */
  private readTrackReferences(tref: Box): Track['references'] {
    const references: Track['references'] = [];
    for (const { box, to } of this.referenceBoxes(tref)) {
      if (to === undefined) this.fail('MALFORMED', `tref/${printableType(box.type)} is not a list of track ids`, box.offset);
      if (!TRACK_REFERENCES_KEPT.has(box.type)) this.remove('unknown', `tref/${printableType(box.type)}`, box);
      else references.push({ box, to });
    }
    return references;
  }

  /** Writes `tref` with the `auxl` references whose tracks are all kept. */
  private trackReferences(track: Track, ids: Set<number>): void {
    const kept: Part[] = [];
    for (const { box, to } of track.references) {
      if (to.length > 0 && to.every((id) => ids.has(id))) kept.push(wrap(box.type, this.input.subarray(box.start, box.end)));
      else this.remove('unknown', `tref/${box.type}`, box, 'reference to a removed track');
    }
    if (kept.length > 0) track.parts.splice(track.trefAt, 0, { type: 'tref', parts: kept });
  }

  /** `elst` (8.6.6): version 0 or 1 entries filling the box. */
  private editList(elst: Box): Uint8Array {
    const c = new Cursor(this.input, elst, this.fail);
    const { version } = c.fullBox();
    if (version > 1) this.fail('MALFORMED', `elst version ${version}`, elst.offset);
    const count = c.u32();
    if (count * ELST_ENTRY_SIZES[version] !== elst.end - c.at) this.fail('MALFORMED', 'elst entries do not fill the box', elst.offset);
    return wrap('elst', this.input.subarray(elst.start, elst.end));
  }

  /** `mdia` (8.4): `mdhd`, a `hdlr` without its name, `minf`. */
  private media(mdia: Box, handler: string, chunks: Extent[]): Part {
    const parts: Part[] = [];
    for (const box of this.children(mdia, 'mdia')) {
      if (box.type === 'mdhd') parts.push(this.timedHeader(box));
      else if (box.type === 'hdlr') parts.push(this.handler(box));
      else parts.push(this.mediaInformation(box, handler, chunks));
    }
    return { type: 'mdia', parts };
  }

  /** `hdlr` (8.4.3): pre_defined and handler_type kept, reserved zeroed, the name empty. */
  private handler(hdlr: Box): Uint8Array {
    const payload = new Uint8Array(HDLR_FIXED + 1);
    payload.set(this.input.subarray(hdlr.start + HDLR_TYPE_AT, hdlr.start + HDLR_TYPE_AT + 4), HDLR_TYPE_AT);
    this.rewritten(hdlr, payload, 'text', 'handler name', 'mdia/hdlr');
    return wrap('hdlr', payload);
  }

  /** `minf` (8.4.4): `vmhd`, a self-contained `dinf`, `stbl`. */
  private mediaInformation(minf: Box, handler: string, chunks: Extent[]): Part {
    const parts: Part[] = [];
    const boxes = this.children(minf, 'minf');
    const dinf = this.need(this.listed(minf, 'minf'), 'dinf', minf);
    if (!isSelfContained(this.input, dinf, this.fail, this.budget)) this.fail('UNSUPPORTED_FORMAT', 'A track’s samples lie in another file (dref)', dinf.offset);
    for (const box of boxes) {
      if (box.type === 'vmhd') {
        if (box.end - box.start !== VMHD_SIZE) this.fail('MALFORMED', 'vmhd is not of its fixed size', box.offset);
        parts.push(wrap('vmhd', this.input.subarray(box.start, box.end)));
      } else if (box.type === 'dinf') {
        const written = selfContainedDinf();
        this.rewritten(box, written.subarray(BOX_HEADER_SIZE), 'unknown', 'data references');
        parts.push(written);
      } else {
        parts.push(this.sampleTable(box, handler, chunks));
      }
    }
    return { type: 'minf', parts };
  }

  /** The sample entries of `stsd` (8.5.2): visual entries of a kept codec only. */
  private sampleEntryBoxes(stsd: Box): Box[] {
    const c = new Cursor(this.input, stsd, this.fail);
    const { version } = c.fullBox();
    if (version !== 0) this.fail('MALFORMED', `stsd version ${version}`, stsd.offset);
    const count = c.u32();
    const entries = childBoxes(this.input, c.at, stsd.end, this.fail, this.budget);
    if (entries.length !== count || count === 0) this.fail('MALFORMED', `stsd declares ${count} entries but holds ${entries.length} boxes`, stsd.offset);
    return entries;
  }

  /** An `auxv` sample entry whose `auxi` (23008-12 7.5.3.1) names an alpha plane. */
  private isAlpha(entry: Box): boolean {
    if (!SAMPLE_ENTRY_TYPES.has(entry.type) || entry.end - entry.start < VISUAL_ENTRY_SIZE) return false;
    const auxi = childBoxes(this.input, entry.start + VISUAL_ENTRY_SIZE, entry.end, this.fail, this.budget).filter((b) => b.type === 'auxi');
    return auxi.length === 1 && ALPHA_AUX_TYPES.has(auxiliaryType(this.input, auxi[0]));
  }

  /** The chunks of a track (`samples.ts`), kept or not. */
  private chunks(tables: Map<string, Box>, descriptions: number): Extent[] {
    const stbl = tables.get('stbl')!;
    const stsz = tables.get('stsz') ?? tables.get('stz2');
    const stco = tables.get('stco') ?? tables.get('co64');
    if (tables.has('stsz') && tables.has('stz2')) this.fail('MALFORMED', 'stbl has both stsz and stz2', stbl.offset);
    if (tables.has('stco') && tables.has('co64')) this.fail('MALFORMED', 'stbl has both stco and co64', stbl.offset);
    if (stsz === undefined || stco === undefined) this.fail('MALFORMED', 'stbl lacks its sample sizes or chunk offsets', stbl.offset);
    const boxes = { stsz, stco, stsc: this.need(tables, 'stsc', stbl), stts: this.need(tables, 'stts', stbl), ctts: tables.get('ctts'), stss: tables.get('stss') };
    return readChunks(this.input, boxes, descriptions, this.fail);
  }

  /** `stbl` (8.5.1): the sample description and the tables; `co64` written as `stco`. */
  private sampleTable(stbl: Box, handler: string, chunks: Extent[]): Part {
    const parts: Part[] = [];
    for (const box of this.children(stbl, 'stbl')) {
      if (box.type === 'stsd') {
        const entries = this.sampleEntryBoxes(box).map((entry) => this.sampleEntry(entry, handler));
        parts.push(wrap('stsd', this.input.subarray(box.start, box.start + FULL_BOX_HEADER_SIZE + 4), ...entries));
      } else if (box.type === 'stco' || box.type === 'co64') {
        parts.push({ chunks });
      } else {
        parts.push(wrap(box.type, this.input.subarray(box.start, box.end))); // checked by readChunks
      }
    }
    return { type: 'stbl', parts };
  }

  /** A visual sample entry (12.1.3): the fixed fields written canonically with the compressor name empty, then its allowlisted boxes. */
  private sampleEntry(entry: Box, handler: string): Uint8Array {
    if (PROTECTED_ENTRIES.has(entry.type)) this.fail('UNSUPPORTED_FORMAT', `A track’s samples are protected or restricted (${entry.type})`, entry.offset);
    if (!SAMPLE_ENTRY_TYPES.has(entry.type)) this.fail('UNSUPPORTED_FORMAT', `A ${printableType(entry.type)} track sample entry is not supported`, entry.offset);
    if (entry.end - entry.start < VISUAL_ENTRY_SIZE) this.fail('MALFORMED', `${entry.type} sample entry is too short`, entry.offset);
    const { input } = this;
    const fields = new Uint8Array(VISUAL_ENTRY_SIZE);
    fields[DATA_REFERENCE_AT + 1] = 1; // the one self-contained dref entry
    fields.set(input.subarray(entry.start + DIMENSIONS_AT, entry.start + DIMENSIONS_AT + 12), DIMENSIONS_AT);
    fields.set(input.subarray(entry.start + FRAME_COUNT_AT, entry.start + FRAME_COUNT_AT + 2), FRAME_COUNT_AT);
    fields.set(input.subarray(entry.start + DEPTH_AT, entry.start + DEPTH_AT + 2), DEPTH_AT);
    fields[PRE_DEFINED_LAST_AT] = 0xff;
    fields[PRE_DEFINED_LAST_AT + 1] = 0xff;
    const name = input.subarray(entry.start + COMPRESSOR_NAME_AT, entry.start + COMPRESSOR_NAME_AT + 32);
    const before = input.subarray(entry.start, entry.start + VISUAL_ENTRY_SIZE);
    if (before.some((b, i) => b !== fields[i])) {
      const named = name.some((b) => b !== 0);
      this.remove(named ? 'text' : 'unknown', `stsd/${entry.type}`, entry, named ? 'compressor name' : 'reserved fields');
    }
    const children: Uint8Array[] = [];
    let configured = false;
    for (const box of this.children(entry, SAMPLE_ENTRY, entry.start + VISUAL_ENTRY_SIZE, entry.type)) {
      if (box.type === CONFIGURATION[entry.type]) configured = true;
      const written = this.sampleEntryChild(box, entry, handler);
      if (written !== undefined) children.push(written);
    }
    if (!configured) this.fail('MALFORMED', `${entry.type} sample entry has no ${CONFIGURATION[entry.type]}`, entry.offset);
    return wrap(entry.type, fields, ...children);
  }

  /** One allowlisted box of a sample entry, checked; an ICC `colr` without its text, or undefined when it goes. */
  private sampleEntryChild(box: Box, entry: Box, handler: string): Uint8Array | undefined {
    const { input } = this;
    const whole = input.subarray(box.offset, box.end);
    if (box.type === 'av1C' || box.type === 'hvcC') {
      if (box.type !== CONFIGURATION[entry.type]) this.fail('MALFORMED', `${entry.type} sample entry holds ${box.type}`, box.offset);
      return whole;
    }
    if (box.type === 'ccst') {
      if (box.end - box.start !== CCST_SIZE) this.fail('MALFORMED', 'ccst is not of its fixed size', box.offset);
      return whole;
    }
    if (box.type === 'auxi') {
      const exact = box.end - box.start === FULL_BOX_HEADER_SIZE + ALPHA_URN.length + 1 && auxiliaryType(input, box) === ALPHA_URN;
      if (handler !== 'auxv' || !exact) this.fail('MALFORMED', 'auxi is not exactly the alpha URN of an auxv track', box.offset);
      return whole;
    }
    if (!fillsExactly(input, box)) this.fail('MALFORMED', `The ${box.type} box of a sample entry holds bytes beyond its fields`, box.offset);
    if (box.type !== 'colr' || !ICC_COLOUR_TYPES.has(colourType(input, box))) {
      if (box.type === 'colr') this.report.kept.push({ kind: 'color', container: 'colr', offset: box.offset, length: box.end - box.offset, label: 'nclx' });
      return whole;
    }
    const colour = colourType(input, box);
    const start = box.start + 4;
    if (!this.options.keepColorProfile) {
      this.remove('icc', 'colr', box, colour);
      return undefined;
    }
    const profile = keepIccProfile(input, start, box.end, { verbatim: this.options.keepColorProfileVerbatim });
    if ('refused' in profile) {
      this.remove('icc', 'colr', box, `${colour}, ${profile.refused}`);
      return undefined;
    }
    if (profile.removed.length > 0) this.remove('text', 'colr', box, `ICC profile: ${profile.removed.join(', ')}`);
    this.report.kept.push({ kind: 'icc', container: 'colr', offset: box.offset, length: box.end - box.offset, label: colour });
    return wrap('colr', asciiBytes(colour), profile.bytes);
  }
}

/** A `dinf` with one `dref` holding one `url ` entry flagged "this file" (14496-12 8.7.2). */
function selfContainedDinf(): Uint8Array {
  const url = wrap('url ', Uint8Array.from([0, 0, 0, 1]));
  return wrap('dinf', wrap('dref', Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1]), url));
}

function wrap(type: string, ...parts: Uint8Array[]): Uint8Array {
  return serialize({ type, parts }, []);
}

function sizeOf(part: Part): number {
  if (part instanceof Uint8Array) return part.length;
  if ('chunks' in part) return BOX_HEADER_SIZE + FULL_BOX_HEADER_SIZE + 4 + 4 * part.chunks.length;
  return BOX_HEADER_SIZE + part.parts.reduce((sum, p) => sum + sizeOf(p), 0);
}

/** Writes `part`; each chunk offset's place is added to `chunkOffsets` (written 0 until the caller knows it). */
function serialize(part: Part, chunkOffsets: Movie['chunkOffsets']): Uint8Array {
  const out = new Uint8Array(sizeOf(part));
  const write = (p: Part, at: number): number => {
    if (p instanceof Uint8Array) {
      out.set(p, at);
      return at + p.length;
    }
    writeU32be(out, at, sizeOf(p));
    if ('chunks' in p) {
      out.set(asciiBytes('stco'), at + 4);
      writeU32be(out, at + BOX_HEADER_SIZE + FULL_BOX_HEADER_SIZE, p.chunks.length);
      let next = at + BOX_HEADER_SIZE + FULL_BOX_HEADER_SIZE + 4;
      for (const chunk of p.chunks) {
        chunkOffsets.push({ at: next, chunk });
        next += 4;
      }
      return next;
    }
    out.set(asciiBytes(p.type), at + 4);
    let next = at + BOX_HEADER_SIZE;
    for (const child of p.parts) next = write(child, next);
    return next;
  };
  write(part, 0);
  return out;
}

/** Reads `moov` and rebuilds it; what was removed or kept goes into the returned report. */
export function readMovie(input: Uint8Array, moov: Box, options: ResolvedOptions, fail: Fail, budget: BoxBudget): Movie {
  return new MovieReader(input, options, fail, budget).read(moov);
}

function nonEmpty(extent: Extent): boolean {
  return extent.end > extent.start;
}
