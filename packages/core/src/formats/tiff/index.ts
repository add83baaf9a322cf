/**
 * TIFF 6.0 (and BigTIFF) walker.
 *
 * TIFF finds its pixels by offsets held in IFD entries, and its metadata
 * lives in those same IFDs, so the output is rebuilt rather than copied: a
 * fresh header, and for each kept page a fresh IFD holding only allowlisted
 * tags, their values, and the strips or tiles (views into the input) with
 * StripOffsets/TileOffsets and the byte counts rewritten. The input's byte
 * order and classic/BigTIFF layout are kept.
 *
 * Kept: every full-resolution image of the IFD0 chain (a page), with the tags
 * in `tiff/tags.ts` (Orientation only when asked and not 1; the ICC profile
 * only when asked). Removed: reduced-resolution images (thumbnails,
 * previews), SubIFDs, Exif/GPS/Interop IFDs, XMP, IPTC, Photoshop, GeoTIFF,
 * descriptive ASCII tags, every private or unknown tag, strips beyond the
 * image's geometry, and every byte no kept structure references.
 *
 * Positions in reports: a removed or kept tag's `offset` is where its value
 * lies (its IFD entry, for a value held in the entry) and `length` the
 * value's size; a removed IFD's `offset` is where its entry count starts and
 * `length` its table (count, entries, next-IFD offset).
 */
import { keepIccProfile } from '../../metadata/icc.js';
import type { ResolvedOptions } from '../../options.js';
import type { MetadataKind } from '../../types.js';
import { Findings } from '../findings.js';
import type { FormatHandler, Plan } from '../handler.js';
import { checkJpegStream } from './jpeg-stream.js';
import { type Entry, type Fail, type Ifd, type Reader, readHeader, readIfd, TYPE_BYTE, TYPE_IFD, TYPE_IFD8, TYPE_LONG, TYPE_LONG8, TYPE_RATIONAL, TYPE_SHORT, TYPE_SRATIONAL } from './structure.js';
import {
  COMPRESSION_JPEG,
  COMPRESSION_NONE,
  COMPRESSION_OLD_JPEG,
  describeRemoved,
  KEPT_TAGS,
  type KeptTag,
  PLAIN_COMPRESSIONS,
  RAW_PHOTOMETRICS,
  TAG_BITS_PER_SAMPLE,
  TAG_COMPRESSION,
  TAG_DNG_VERSION,
  TAG_ICC_PROFILE,
  TAG_IMAGE_LENGTH,
  TAG_IMAGE_WIDTH,
  TAG_JPEG_TABLES,
  TAG_NEW_SUBFILE_TYPE,
  TAG_ORIENTATION,
  TAG_PHOTOMETRIC,
  TAG_PLANAR_CONFIGURATION,
  TAG_ROWS_PER_STRIP,
  TAG_SAMPLES_PER_PIXEL,
  TAG_STRIP_BYTE_COUNTS,
  TAG_STRIP_OFFSETS,
  TAG_SUBFILE_TYPE,
  TAG_TILE_BYTE_COUNTS,
  TAG_TILE_LENGTH,
  TAG_TILE_OFFSETS,
  TAG_TILE_WIDTH,
} from './tags.js';
import { type KeptValue, type Page, writeTiff } from './write.js';

/**
 * Why DNG files are refused rather than cleaned (DNG 1.7.1). A DNG keeps its
 * raw image (NewSubFileType 0) in a SubIFD, the layout chapter 2 recommends,
 * or in IFD0 (the TIFF/EP layout), with previews and, since 1.6, semantic
 * masks and depth maps in further SubIFDs. The raw pixels are rendered only
 * with the tags of chapter 4 (black and white levels, linearization table,
 * CFA pattern, active area, crops), the colour model of chapter 6 (matrices,
 * calibration, profiles, hue/saturation and look tables, gain table maps) and
 * the opcode lists of chapter 7, which hold opaque binary parameters. Those
 * sit beside tags that name the camera and the original file
 * (UniqueCameraModel, required; CameraSerialNumber; DNGPrivateData with the
 * maker notes; OriginalRawFileName and OriginalRawFileData; RawDataUniqueID).
 * Cleaned as a plain TIFF, only a preview would be left, so the file is
 * refused until those tags have an allowlist as `tiff/tags.ts` has for TIFF.
 */
export const DNG_REFUSAL =
  'DNG camera raw files (DNGVersion, tag 50706) are refused: the raw image (NewSubFileType 0, in a SubIFD or in IFD0) renders only with DNG tags ' +
  '(black and white levels, linearization, CFA pattern, crops, colour matrices, calibration and profiles, opcode lists: DNG 1.7 chapters 4, 6 and 7) ' +
  'for which this sanitizer has no allowlist, and they sit beside tags naming the camera and the original file ' +
  '(UniqueCameraModel, CameraSerialNumber, DNGPrivateData with maker notes, OriginalRawFileName/Data, RawDataUniqueID)';
/** Why camera raw pixels in a TIFF without DNGVersion (TIFF/EP) are refused; the message starts with the IFD's name. */
export const RAW_DATA_REFUSAL =
  'holds camera raw data (PhotometricInterpretation 32803 CFA or 34892 LinearRaw): rendering it needs the CFA pattern and the colour and calibration tags of TIFF/EP and DNG, for which this sanitizer has no allowlist';

/** IFDs in the chain. Multi-page faxes and scans have tens, rarely hundreds. */
export const MAX_IFDS = 1000;
/** Strips and tiles across all pages. */
export const MAX_SEGMENTS = 100_000;
/** IFD entries read across the chain (IFDs may overlap; this keeps the walk linear). */
const MAX_ENTRIES = 1_000_000;
/** Strips may overlap and each is copied: the pixel data written may reach this multiple of the input size, no more. */
const MAX_AMPLIFICATION = 4;

const TAG_JPEG_INTERCHANGE_FORMAT = 513; // section 22 (old JPEG); EXIF IFD1 thumbnails
const TAG_JPEG_INTERCHANGE_FORMAT_LENGTH = 514;
const INTEGER_TYPES = new Set([TYPE_SHORT, TYPE_LONG, TYPE_LONG8]);
const NEW_SUBFILE_REDUCED = 0x1; // section 8 NewSubfileType bit 0: "reduced-resolution version of another image"
const SUBFILE_REDUCED = 2; // section 8 SubfileType 2: "reduced-resolution image data"
const PHOTOMETRIC_YCBCR = 6; // section 21: subsampled data has another size
const PLANAR_SEPARATE = 2; // section 8 PlanarConfiguration 2: one plane per sample
const DEFAULT_ROWS_PER_STRIP = 0xffffffff; // section 8 RowsPerStrip default 2^32 - 1
const MIN_ORIENTATION = 1;
const MAX_ORIENTATION = 8;

/** Pointer tags whose IFDs are removed whole: the report points at the IFD they name. */
const POINTER_TAGS = new Set([34665, 34853, 40965, 330]); // Exif, GPS, Interop, SubIFDs
const POINTER_TYPES = new Set([TYPE_LONG, TYPE_IFD, TYPE_LONG8, TYPE_IFD8]);

/** A removed sub-IFD that cannot be read: skipped, never a refusal. */
class SubIfdUnreadable extends Error {}

class TiffWalker {
  private readonly n: number;
  private readonly f = new Findings('tiff');
  private readonly fail: Fail = this.f.fail;
  private orientation: number | undefined;
  private segmentsSeen = 0;
  private bytesCopied = 0;
  private reader!: Reader;
  /** Bytes that are structure or removed metadata (IFD tables, removed values, thumbnails' data): never copied as pixels. */
  private readonly metadata: Extent[] = [];
  /** Sub-IFDs (Exif, GPS, Interop, SubIFDs) already read for `metadata`, and the entries they held. */
  private readonly subIfdsSeen = new Set<number>();
  /** Kept values stored outside their entry: where they lie in the input, and the page list that holds them. */
  private readonly stored: StoredValue[] = [];
  /** Kept values the output carries rewritten (an ICC profile without its text): their input bytes are no pixels either. */
  private readonly rewritten: Extent[] = [];
  private subIfdsRead = 0;
  private subIfdEntries = 0;

  constructor(
    private readonly input: Uint8Array,
    private readonly options: ResolvedOptions,
  ) {
    this.n = input.length;
  }

  walk(): Plan {
    const { reader, first } = readHeader(this.input, this.fail);
    this.reader = reader;
    if (first === 0) this.fail('MALFORMED', 'The TIFF has no IFD', reader.layout.headerSize - reader.layout.offsetSize);
    const visited = new Set<number>();
    const pages: Page[] = [];
    const containers: string[] = [];
    let entries = 0;
    for (let offset = first, index = 0; offset !== 0; index++) {
      if (visited.has(offset)) this.fail('MALFORMED', `IFD${index} points back to an IFD already read (a loop)`, offset);
      if (index >= MAX_IFDS) this.fail('LIMIT_EXCEEDED', `More than ${MAX_IFDS} IFDs`, offset);
      visited.add(offset);
      const ifd = readIfd(reader, offset, this.fail);
      this.metadata.push({ start: ifd.offset, end: ifd.end });
      entries += ifd.entries.length;
      if (entries > MAX_ENTRIES) this.fail('LIMIT_EXCEEDED', `More than ${MAX_ENTRIES} IFD entries`, offset);
      const dngVersion = ifd.entries.find((e) => e.tag === TAG_DNG_VERSION);
      if (dngVersion !== undefined) this.fail('UNSUPPORTED_FORMAT', DNG_REFUSAL, dngVersion.at);
      if (this.isReducedResolution(ifd)) {
        this.remove('thumbnail', `IFD${index}`, ifd.offset, ifd.end - ifd.offset, 'reduced-resolution image');
        this.noteRemovedIfd(ifd);
      } else {
        pages.push(this.page(ifd, `IFD${index}`));
        containers.push(`IFD${index}`);
      }
      offset = ifd.next;
    }
    if (pages.length === 0) this.fail('UNSUPPORTED_FORMAT', 'The IFD chain holds only reduced-resolution images', first);
    this.checkStoredValues(merged(this.metadata));
    const regions = merged([...this.metadata, ...this.rewritten]);
    pages.forEach((page, i) => this.zeroMetadataInSegments(page, containers[i], regions));
    const plan: Plan = { output: writeTiff(reader.layout, pages, this.fail), removed: this.f.removed, kept: this.f.kept };
    if (this.orientation !== undefined) plan.orientation = this.orientation;
    return plan;
  }

  private remove(kind: MetadataKind, container: string, offset: number, length: number, label: string): void {
    this.f.remove(kind, container, offset, length, label);
  }

  /** An integer held in the entry itself (BYTE, SHORT, LONG, LONG8, count 1), or `undefined`. */
  private scalar(entry: Entry | undefined): number | undefined {
    if (entry === undefined || entry.count !== 1 || !entry.inline) return undefined;
    if (entry.type !== TYPE_BYTE && entry.type !== TYPE_SHORT && entry.type !== TYPE_LONG && entry.type !== TYPE_LONG8) return undefined;
    return this.reader.uint(entry, 0);
  }

  /**
   * A thumbnail or preview: marked reduced-resolution (NewSubfileType bit 0,
   * SubfileType 2), or an EXIF-style IFD1 that holds only a JPEG thumbnail
   * (JPEGInterchangeFormat) and no strips or tiles.
   */
  private isReducedResolution(ifd: Ifd): boolean {
    const has = (tag: number) => ifd.entries.some((e) => e.tag === tag);
    const newSubfileType = this.scalar(ifd.entries.find((e) => e.tag === TAG_NEW_SUBFILE_TYPE));
    const subfileType = this.scalar(ifd.entries.find((e) => e.tag === TAG_SUBFILE_TYPE));
    const jpegThumbnail = has(TAG_JPEG_INTERCHANGE_FORMAT) && !has(TAG_STRIP_OFFSETS) && !has(TAG_TILE_OFFSETS);
    return ((newSubfileType ?? 0) & NEW_SUBFILE_REDUCED) !== 0 || subfileType === SUBFILE_REDUCED || jpegThumbnail;
  }

  /** Where a removed entry's value lies, for the report (clipped to the input). */
  private valueRange(entry: Entry): { offset: number; length: number } {
    const { layout } = this.reader;
    if (POINTER_TAGS.has(entry.tag) && entry.count >= 1 && POINTER_TYPES.has(entry.type) && entry.start + entry.size! <= this.n) {
      const at = entry.type === TYPE_LONG || entry.type === TYPE_IFD ? this.reader.u32(entry.start) : this.reader.u64(entry.start);
      if (at >= layout.headerSize && at + layout.countSize <= this.n) {
        const count = layout.big ? this.reader.u64(at) : this.reader.u16(at);
        return { offset: at, length: Math.min(layout.countSize + count * layout.entrySize + layout.offsetSize, this.n - at) };
      }
    }
    if (entry.inline || entry.size === undefined || entry.start >= this.n) return { offset: entry.at, length: layout.entrySize };
    return { offset: entry.start, length: Math.min(entry.size, this.n - entry.start) };
  }

  /** A full-resolution image: its kept tags, checked, and its strips or tiles. */
  private page(ifd: Ifd, container: string): Page {
    const { input, reader, options } = this;
    const tags = new Map<number, Entry>();
    for (const entry of ifd.entries) {
      if (tags.has(entry.tag)) this.fail('MALFORMED', `${container} holds tag ${entry.tag} twice`, entry.at);
      tags.set(entry.tag, entry);
    }
    const spp = this.scalar(tags.get(TAG_SAMPLES_PER_PIXEL)) ?? 1;
    if (spp < 1) this.fail('MALFORMED', `${container}: SamplesPerPixel is 0`, ifd.offset);
    const compression = this.scalar(tags.get(TAG_COMPRESSION)) ?? COMPRESSION_NONE;
    const bitsEntry = tags.get(TAG_BITS_PER_SAMPLE);
    const bps = bitsEntry?.type === TYPE_SHORT && bitsEntry.count >= 1 && bitsEntry.start + 2 <= this.n ? reader.u16(bitsEntry.start) : 1;

    const values: KeptValue[] = [];
    const checked = new Map<number, Entry>(); // kept tags with a valid value
    for (const entry of ifd.entries) {
      const rule = KEPT_TAGS.get(entry.tag);
      const range = () => this.valueRange(entry);
      const drop = (kind: MetadataKind, label: string) => {
        const { offset, length } = range();
        this.remove(kind, container, offset, length, label);
        this.metadata.push({ start: offset, end: offset + length });
        if (POINTER_TAGS.has(entry.tag)) this.noteSubIfds(entry);
      };
      if (rule === undefined || (entry.tag === TAG_ICC_PROFILE && !options.keepColorProfile)) {
        const { kind, label } = describeRemoved(entry.tag);
        drop(kind, label);
        continue;
      }
      const valid = rule.types.includes(entry.type) && rule.count(entry.count, { spp, bps }) && entry.size !== undefined;
      if (!valid && rule.decoding) this.fail('MALFORMED', `${container}: ${rule.name} has an unexpected type or count`, entry.at);
      if (!valid) {
        drop('unknown', `${rule.name}, unexpected type or count`);
        continue;
      }
      if (entry.start + entry.size! > this.n) this.fail('TRUNCATED', `${container}: the ${rule.name} value lies past the end of the input`, entry.at);
      if (!this.inRange(entry, rule)) {
        if (rule.decoding) this.fail('MALFORMED', `${container}: ${rule.name} holds a value TIFF does not define`, entry.at);
        drop('unknown', `${rule.name}, a value TIFF does not define`);
        continue;
      }
      let value = input.subarray(entry.start, entry.start + entry.size!);
      if (entry.tag === TAG_ICC_PROFILE) {
        const profile = keepIccProfile(input, entry.start, entry.start + entry.size!, { verbatim: options.keepColorProfileVerbatim });
        if ('refused' in profile) {
          drop('icc', `ICC profile, ${profile.refused}`);
          continue;
        }
        if (profile.removed.length > 0) {
          // The input's profile holds text that is not copied: a strip must not copy it either.
          this.remove('text', container, range().offset, range().length, `ICC profile: ${profile.removed.join(', ')}`);
          this.rewritten.push({ start: entry.start, end: entry.start + entry.size! });
        }
        value = profile.bytes;
      }
      if (entry.tag === TAG_JPEG_TABLES && compression !== COMPRESSION_JPEG) {
        drop('unknown', 'JPEGTables, unused without JPEG compression'); // opaque bytes no decoder reads
        continue;
      }
      checked.set(entry.tag, entry);
      if (entry.tag === TAG_ORIENTATION && !this.keepsOrientation(entry, container)) continue;
      if (entry.tag === TAG_STRIP_OFFSETS || entry.tag === TAG_STRIP_BYTE_COUNTS || entry.tag === TAG_TILE_OFFSETS || entry.tag === TAG_TILE_BYTE_COUNTS) continue;
      const kept: KeptValue = { tag: entry.tag, type: entry.type, count: entry.tag === TAG_ICC_PROFILE ? value.length : entry.count, bytes: value };
      values.push(kept);
      if (!entry.inline) this.stored.push({ value: kept, values, start: entry.start, end: entry.start + entry.size!, name: rule.name, decoding: rule.decoding, container });
      if (entry.tag === TAG_ICC_PROFILE) {
        const { offset, length } = range();
        this.f.keep('icc', container, offset, length, 'ICC profile');
      }
    }
    return { values, jpeg: compression === COMPRESSION_JPEG, ...this.segments(checked, container, ifd.offset, spp) };
  }

  /**
   * A removed pointer (Exif, GPS, Interop, SubIFDs): the IFDs it reaches, and
   * their out-of-line values (maker notes, GPS rationals, comments), are
   * metadata a strip must never copy. Read leniently and within the shared
   * budgets: a broken Exif IFD is removed anyway, so it is no reason to refuse.
   */
  private noteSubIfds(pointer: Entry): void {
    const { reader, n } = this;
    const pending: number[] = [];
    if (pointer.size !== undefined && pointer.start + pointer.size <= n && POINTER_TYPES.has(pointer.type)) {
      const wide = pointer.type === TYPE_LONG8 || pointer.type === TYPE_IFD8;
      for (let i = 0; i < Math.min(pointer.count, MAX_IFDS); i++) pending.push(wide ? reader.u64(pointer.start + 8 * i) : reader.u32(pointer.start + 4 * i));
    }
    const ignore: Fail = (code, message) => {
      throw new SubIfdUnreadable(`${code}: ${message}`);
    };
    while (pending.length > 0 && this.subIfdsRead < MAX_IFDS) {
      const offset = pending.pop()!;
      if (this.subIfdsSeen.has(offset)) continue;
      this.subIfdsSeen.add(offset);
      this.subIfdsRead++;
      let ifd: Ifd;
      try {
        ifd = readIfd(reader, offset, ignore);
      } catch (error) {
        if (error instanceof SubIfdUnreadable) continue;
        throw error;
      }
      this.subIfdEntries += ifd.entries.length;
      if (this.subIfdEntries > MAX_ENTRIES) this.fail('LIMIT_EXCEEDED', `More than ${MAX_ENTRIES} entries in removed IFDs`, offset);
      this.metadata.push({ start: ifd.offset, end: ifd.end });
      for (const entry of ifd.entries) {
        if (!entry.inline && entry.size !== undefined && entry.start < n) this.metadata.push({ start: entry.start, end: Math.min(entry.start + entry.size, n) });
        if (POINTER_TAGS.has(entry.tag) && POINTER_TYPES.has(entry.type) && entry.count >= 1 && entry.size !== undefined && entry.start + entry.size <= n) {
          const wide = entry.type === TYPE_LONG8 || entry.type === TYPE_IFD8;
          pending.push(wide ? reader.u64(entry.start) : reader.u32(entry.start));
        }
      }
    }
  }

  /** A removed reduced-resolution image: its values and its strips or tiles are metadata (a thumbnail of the uncropped original). */
  private noteRemovedIfd(ifd: Ifd): void {
    const { reader, n } = this;
    for (const entry of ifd.entries) {
      if (entry.inline || entry.size === undefined || entry.start >= n) continue;
      this.metadata.push({ start: entry.start, end: Math.min(entry.start + entry.size, n) });
    }
    const find = (tag: number) => ifd.entries.find((e) => e.tag === tag && !!e.size && e.start + e.size <= n && INTEGER_TYPES.has(e.type));
    const pairs: [Entry | undefined, Entry | undefined][] = [
      [find(TAG_STRIP_OFFSETS), find(TAG_STRIP_BYTE_COUNTS)],
      [find(TAG_TILE_OFFSETS), find(TAG_TILE_BYTE_COUNTS)],
      [find(TAG_JPEG_INTERCHANGE_FORMAT), find(TAG_JPEG_INTERCHANGE_FORMAT_LENGTH)],
    ];
    for (const [offsets, counts] of pairs) {
      if (offsets === undefined || counts === undefined) continue;
      for (let i = 0; i < Math.min(offsets.count, counts.count); i++) {
        const start = reader.uint(offsets, i);
        this.metadata.push({ start, end: start + reader.uint(counts, i) });
      }
    }
  }

  /**
   * A strip or tile is copied as pixels, so it must not bring along bytes that
   * are structure or removed metadata: a StripOffsets pointing at the XMP
   * value, a StripByteCounts covering the next IFD. Those bytes are zeroed in
   * the copy (no decoder reads them as pixels of a well-formed file) and
   * reported; every other byte of the segment stays as it is.
   */
  private zeroMetadataInSegments(page: Page, container: string, regions: Extent[]): void {
    const base = this.input.byteOffset;
    page.segments = page.segments.map((segment, i) => {
      const start = segment.byteOffset - base;
      const end = start + segment.length;
      let copy: Uint8Array | undefined;
      for (let r = firstEndingAfter(regions, start); r < regions.length && regions[r].start < end; r++) {
        const from = Math.max(regions[r].start, start);
        const to = Math.min(regions[r].end, end);
        copy ??= segment.slice();
        copy.fill(0, from - start, to - start);
        this.remove('unknown', container, from, to - from, 'structure or removed metadata inside a strip or tile, zeroed');
      }
      // A zeroed JPEG strip must still be a JPEG stream of coding segments only, or the file is refused.
      if (copy !== undefined && page.jpeg && copy.length > 0) checkJpegStream(copy, 0, copy.length, `${container} strip or tile ${i}`, this.fail);
      return copy ?? segment;
    });
  }

  /**
   * Every element of an enumerated tag is a value TIFF defines, and no
   * rational has a zero denominator. Linear in the value's size.
   */
  private inRange(entry: Entry, rule: KeptTag): boolean {
    const { reader } = this;
    if (rule.values !== undefined && INTEGER_TYPES.has(entry.type)) {
      for (let i = 0; i < entry.count; i++) if (!rule.values.has(reader.uint(entry, i))) return false;
    }
    if (entry.type === TYPE_RATIONAL || entry.type === TYPE_SRATIONAL) {
      for (let i = 0; i < entry.count; i++) if (reader.u32(entry.start + 8 * i + 4) === 0) return false;
    }
    return true;
  }

  /**
   * A kept value is copied as it is, so, like a strip, it must not bring
   * along bytes that are structure or removed metadata (a WhitePoint whose
   * offset points into the Artist text), nor part of another kept value's
   * storage. Such a value is dropped and reported; one that decoding needs
   * gets those bytes zeroed instead (as a strip does), and overlapping
   * another kept value's storage it is refused. Two values stored at exactly
   * the same bytes share them, as writers do for equal values.
   */
  private checkStoredValues(regions: Extent[]): void {
    const drop = (stored: StoredValue, label: string) => {
      const at = stored.values.indexOf(stored.value);
      if (at >= 0) stored.values.splice(at, 1);
      if (stored.value.tag === TAG_ICC_PROFILE) {
        const index = this.f.kept.findIndex((item) => item.kind === 'icc' && item.offset === stored.start);
        if (index >= 0) this.f.kept.splice(index, 1);
      }
      this.remove(stored.value.tag === TAG_ICC_PROFILE ? 'icc' : 'unknown', stored.container, stored.start, stored.end - stored.start, `${stored.name}, ${label}`);
    };
    const byStart = [...this.stored].sort((a, b) => a.start - b.start || a.end - b.end);
    let reach: StoredValue | undefined; // the value seen so far that ends last
    const overlapping = new Set<StoredValue>();
    for (const stored of byStart) {
      if (reach !== undefined && stored.start < reach.end && !(stored.start === reach.start && stored.end === reach.end)) {
        overlapping.add(stored);
        overlapping.add(reach);
      }
      if (reach === undefined || stored.end > reach.end) reach = stored;
    }
    for (const stored of byStart) {
      if (overlapping.has(stored)) {
        if (stored.decoding) this.fail('MALFORMED', `${stored.container}: the ${stored.name} value overlaps another kept value`, stored.start);
        drop(stored, 'overlaps another kept value');
        continue;
      }
      const first = firstEndingAfter(regions, stored.start);
      if (first === regions.length || regions[first].start >= stored.end) continue;
      if (stored.decoding) this.fail('MALFORMED', `${stored.container}: the ${stored.name} value lies in structure or removed metadata`, stored.start);
      drop(stored, 'shares bytes with structure or removed metadata');
    }
  }

  /** Orientation is kept only when asked and not 1 (reported either way); the first page's is the image's. */
  private keepsOrientation(entry: Entry, container: string): boolean {
    const value = this.reader.uint(entry, 0);
    const valid = value >= MIN_ORIENTATION && value <= MAX_ORIENTATION;
    if (valid && this.orientation === undefined) this.orientation = value;
    const { entrySize } = this.reader.layout;
    if (valid && value !== 1 && this.options.keepOrientation) {
      this.f.keep('orientation', container, entry.at, entrySize, `Orientation ${value}`);
      return true;
    }
    this.remove('orientation', container, entry.at, entrySize, valid ? `Orientation ${value}` : 'Orientation');
    return false;
  }

  /**
   * The strips or tiles of a page: offsets and byte counts must agree, cover
   * the image's geometry and lie inside the input. Segments beyond the
   * geometry are no pixels anyone decodes: they are dropped and reported.
   */
  private segments(tags: Map<number, Entry>, container: string, ifdOffset: number, spp: number): Pick<Page, 'offsetsTag' | 'countsTag' | 'segments'> {
    const { input, reader } = this;
    const value = (tag: number) => this.scalar(tags.get(tag));
    const width = value(TAG_IMAGE_WIDTH);
    const length = value(TAG_IMAGE_LENGTH);
    if (!width || !length) this.fail('MALFORMED', `${container} has no (or a zero) ImageWidth or ImageLength`, ifdOffset);
    const compression = value(TAG_COMPRESSION) ?? COMPRESSION_NONE;
    if (compression === COMPRESSION_OLD_JPEG) this.fail('UNSUPPORTED_FORMAT', `${container} uses old-style JPEG compression (6)`, ifdOffset);
    if (compression !== COMPRESSION_JPEG && !PLAIN_COMPRESSIONS.has(compression)) {
      this.fail('UNSUPPORTED_FORMAT', `${container} uses compression ${compression}`, ifdOffset);
    }
    const photometric = value(TAG_PHOTOMETRIC);
    if (photometric !== undefined && RAW_PHOTOMETRICS.has(photometric)) this.fail('UNSUPPORTED_FORMAT', `${container} ${RAW_DATA_REFUSAL}`, ifdOffset);

    const tiled = tags.has(TAG_TILE_OFFSETS) || tags.has(TAG_TILE_BYTE_COUNTS);
    if (tiled && (tags.has(TAG_STRIP_OFFSETS) || tags.has(TAG_STRIP_BYTE_COUNTS))) this.fail('MALFORMED', `${container} has both strips and tiles`, ifdOffset);
    const offsetsTag = tiled ? TAG_TILE_OFFSETS : TAG_STRIP_OFFSETS;
    const countsTag = tiled ? TAG_TILE_BYTE_COUNTS : TAG_STRIP_BYTE_COUNTS;
    const offsets = tags.get(offsetsTag);
    const counts = tags.get(countsTag);
    if (offsets === undefined || counts === undefined) this.fail('MALFORMED', `${container} has no ${tiled ? 'tile' : 'strip'} offsets or byte counts`, ifdOffset);
    if (offsets.count !== counts.count) this.fail('MALFORMED', `${container}: ${offsets.count} offsets but ${counts.count} byte counts`, offsets.at);

    const planes = value(TAG_PLANAR_CONFIGURATION) === PLANAR_SEPARATE ? spp : 1;
    // A segment is `across` pixels wide and `down` rows high (the last strip of a plane may have fewer rows).
    let across: number;
    let down: number;
    let perPlane: number;
    if (tiled) {
      const tileWidth = value(TAG_TILE_WIDTH);
      const tileLength = value(TAG_TILE_LENGTH);
      if (!tileWidth || !tileLength) this.fail('MALFORMED', `${container} has tiles but no TileWidth or TileLength`, ifdOffset);
      [across, down] = [tileWidth, tileLength];
      perPlane = Math.ceil(width / tileWidth) * Math.ceil(length / tileLength);
    } else {
      const rows = value(TAG_ROWS_PER_STRIP) ?? DEFAULT_ROWS_PER_STRIP;
      if (rows === 0) this.fail('MALFORMED', `${container}: RowsPerStrip is 0`, ifdOffset);
      [across, down] = [width, Math.min(rows, length)];
      perPlane = Math.ceil(length / rows);
    }
    const expected = perPlane * planes;
    const what = tiled ? 'tile' : 'strip';
    if (offsets.count < expected) this.fail('MALFORMED', `${container} has ${offsets.count} ${what}s, its geometry needs ${expected}`, offsets.at);
    this.segmentsSeen += expected;
    if (this.segmentsSeen > MAX_SEGMENTS) this.fail('LIMIT_EXCEEDED', `More than ${MAX_SEGMENTS} strips or tiles`, offsets.at);

    // Uncompressed pixels have an exact size (section 3, 8): bytes after it are no pixel anyone decodes.
    const bits = tags.get(TAG_BITS_PER_SAMPLE);
    const bitsOf = (sample: number) => (bits === undefined ? 1 : reader.uint(bits, bits.count === 1 ? 0 : sample));
    let pixelBits = 0; // bits per pixel in one plane
    if (planes === 1) for (let sample = 0; sample < spp; sample++) pixelBits += bitsOf(sample);
    const exactSize = compression === COMPRESSION_NONE && photometric !== PHOTOMETRIC_YCBCR;
    const neededSize = (i: number) => {
      const plane = Math.floor(i / perPlane);
      const rows = tiled ? down : Math.min(down, length - (i % perPlane) * down);
      return rows * Math.ceil((across * (planes === 1 ? pixelBits : bitsOf(plane))) / 8);
    };

    const segments: Uint8Array[] = [];
    let trimmed = 0;
    let firstTrimmed = 0;
    for (let i = 0; i < expected; i++) {
      const start = reader.uint(offsets, i);
      const declared = start + reader.uint(counts, i);
      if (declared > this.n) this.fail('TRUNCATED', `${container}: ${what} ${i} runs past the end of the input`, Math.min(start, this.n));
      const end = exactSize ? Math.min(declared, start + neededSize(i)) : declared;
      if (declared > end && trimmed === 0) firstTrimmed = end;
      trimmed += declared - end;
      this.bytesCopied += end - start;
      if (this.bytesCopied > MAX_AMPLIFICATION * this.n) this.fail('LIMIT_EXCEEDED', `Overlapping ${what}s would multiply the image data`, offsets.at);
      // An empty (sparse) tile holds nothing; any other JPEG-compressed one must carry only coding segments.
      if (compression === COMPRESSION_JPEG && end > start) checkJpegStream(input, start, end, `${container} ${what} ${i}`, this.fail);
      segments.push(input.subarray(start, end));
    }
    if (trimmed > 0) this.remove('unknown', container, firstTrimmed, trimmed, `${trimmed} bytes after the pixels of uncompressed ${what}s`);
    const tables = tags.get(TAG_JPEG_TABLES);
    if (compression === COMPRESSION_JPEG && tables !== undefined) checkJpegStream(input, tables.start, tables.start + tables.size!, `${container} JPEGTables`, this.fail);
    if (offsets.count > expected) {
      const start = Math.min(reader.uint(offsets, expected), this.n);
      const length = Math.min(reader.uint(counts, expected), this.n - start);
      this.remove('unknown', container, start, length, `${offsets.count - expected} ${what}s beyond the image`);
    }
    return { offsetsTag, countsTag, segments };
  }
}

interface Extent {
  start: number;
  end: number;
}

/** A kept value stored outside its entry. */
interface StoredValue {
  value: KeptValue;
  /** The page's value list that holds it. */
  values: KeptValue[];
  start: number;
  end: number;
  name: string;
  decoding: boolean;
  container: string;
}

/** The union of `ranges` as disjoint ranges in order. */
function merged(ranges: Extent[]): Extent[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const out: Extent[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}

/** The index of the first of the disjoint, ordered `regions` that ends after `at`, by binary search. */
function firstEndingAfter(regions: Extent[], at: number): number {
  let low = 0;
  let high = regions.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (regions[mid].end <= at) low = mid + 1;
    else high = mid;
  }
  return low;
}

export const tiff: FormatHandler = {
  format: 'tiff',
  plan(input: Uint8Array, options: ResolvedOptions): Plan {
    return new TiffWalker(input, options).walk();
  },
};
