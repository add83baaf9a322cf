/**
 * JPEG (ITU-T T.81) container walker, incremental: fed the input chunk by
 * chunk, it copies entropy-coded data as it arrives and holds only one
 * segment (at most 64 KiB) plus the kept header until the first scan.
 *
 * Positions: `offset` is where a marker's `FF` starts, `length` the size of
 * the whole segment (marker + length field + content), `start` where the
 * content begins, `end` one past the segment.
 *
 * What stays is data in allowlist.ts: the tables and frames decoding needs,
 * each scan with its entropy-coded data, EOI; JFIF (rewritten without
 * thumbnail), Adobe APP14 (rewritten to its 12 defined bytes), the ICC
 * profile of the APP2 ICC_PROFILE chunks (when asked; rewritten without its
 * text, icc-segments.ts) and a fresh orientation-only APP1 Exif (when asked
 * and not 1). Everything else is removed, including all bytes
 * after the primary EOI.
 */
import { hasAscii, u16be } from '../../bytes/read.js';
import { asciiBytes, type Out, writeU16be } from '../../bytes/write.js';
import { isOrientationOnlyTiff, ORIENTATION_TIFF_SIZE, readOrientation, writeOrientationTiff } from '../../metadata/exif.js';
import type { ResolvedOptions } from '../../options.js';
import type { MetadataKind } from '../../types.js';
import { LinearWalker, streamingHandler } from '../feed.js';
import type { WalkMode, WalkReport } from '../handler.js';
import { EntropyScanner } from './entropy.js';
import { ADOBE_CONTENT_SIZE, EXIF_ID, ICC_ID, JFIF_CONTENT_SIZE, KEPT_APPS, NAMED_APPS, RULE_OF } from './allowlist.js';
import { IccSegments } from './icc-segments.js';
import { APP0, APP1, APP14, COM, DHP, EOI, isApp, isRst, isSof, MARKER_PREFIX, markerName, SOI, wellFormed } from './markers.js';

/** Real progressive files have tens of scans; thousands is an attack on decoders downstream. */
export const MAX_SCANS = 1000;
/** The kept header held until the first scan (tables, JFIF, Adobe, ICC chunks: real files hold well under 1 MiB; a 255-chunk ICC profile 16 MiB). */
export const MAX_HEADER_BYTES = 20 * 1024 * 1024;
/** ICC.1 Annex B.4: each APP2 chunk holds `ICC_PROFILE\0`, its sequence number (from 1) and the chunk count, then profile bytes. */
const ICC_CHUNK_HEADER_SIZE = ICC_ID.length + 2;
const SEGMENT_HEADER_SIZE = 4; // FF, marker, 2-byte length
/** Bytes after EOI that name a trailer: `FF D8` (a second JPEG) or `ftyp` at 4 (a video). */
const TRAILER_LABEL_SIZE = 8;

const EOI_BYTES = new Uint8Array([MARKER_PREFIX, EOI]);
const SOI_BYTES = new Uint8Array([MARKER_PREFIX, SOI]);

/** The identifier that opens an APPn segment (printable ASCII up to NUL, at most 16 chars), e.g. `Ducky`. */
function appIdentifier(input: Uint8Array, start: number, end: number): string {
  let label = '';
  for (let i = start; i < end && label.length < 16; i++) {
    const c = input[i];
    if (c < 0x20 || c > 0x7e) break;
    label += String.fromCharCode(c);
  }
  return label;
}

const iccLabel = (input: Uint8Array, start: number) => `ICC_PROFILE ${input[start + ICC_ID.length]}/${input[start + ICC_ID.length + 1]}`;

/** What a removed APPn or COM segment is, from its identifier (allowlist.ts `NAMED_APPS`). */
function identify(marker: number, input: Uint8Array, start: number, end: number): { kind: MetadataKind; label?: string } {
  if (marker === COM) return { kind: 'comment' };
  for (const row of NAMED_APPS) {
    if (row.marker !== marker || !hasAscii(input, start, row.id)) continue;
    if (row.id !== ICC_ID) return { kind: row.kind, label: row.label };
    if (end - start >= ICC_CHUNK_HEADER_SIZE) return { kind: 'icc', label: iccLabel(input, start) };
  }
  return { kind: 'application', label: appIdentifier(input, start, end) };
}

/** Builds a segment `FF <marker> <length> <content>`. */
function segment(marker: number, content: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + content.length);
  out[0] = MARKER_PREFIX;
  out[1] = marker;
  writeU16be(out, 2, content.length + 2);
  out.set(content, 4);
  return out;
}

/** Where the walker is. */
const enum State {
  Start,
  /** Looking for the next marker from `seekFrom`. */
  Seek,
  /** At a marker's FF. */
  Segment,
  /** Inside a scan's entropy-coded data. */
  Entropy,
  /** After EOI: everything is trailer. */
  Trailer,
}

class JpegWalker extends LinearWalker {
  private state = State.Start;
  // The kept header, held until the first scan decides what leads the output.
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private readonly icc = new IccSegments();
  private jfif: Uint8Array | undefined;
  private adobe: Uint8Array | undefined;
  private exifOffset = 0;
  private seenFrame = false;
  private hierarchical = false;
  private scans = 0;
  // Seek: where it began, and where the run of FF fill bytes before the marker began (-1: none).
  private seekFrom = 0;
  private runStart = -1;
  // Entropy: where the scan's SOS starts; FF bytes held back at a window's end (the run's first at `ffOffset`).
  private scanOffset = 0;
  private ffHeld = 0;
  private ffOffset = 0;
  private readonly scanner = new EntropyScanner();
  // Where the current scan's entropy-coded data starts; each scan's data read whole, as input offset pairs.
  private scanDataStart = 0;
  private readonly scanned: number[] = [];
  // The self-check's shortcut (Walker.copiedData): the ranges, and the next one to look at.
  copiedData: readonly number[] = [];
  private copiedNext = 0;
  // Trailer.
  private trailerStart = 0;
  private trailerLabel: string | undefined;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly out: Out,
  ) {
    super('jpeg', SEGMENT_HEADER_SIZE);
  }

  override finish(): WalkReport {
    const report = super.finish();
    if (this.scanned.length > 0) report.scannedData = this.scanned;
    return report;
  }

  protected step(w: Uint8Array, i: number, end: number, final: boolean): number {
    switch (this.state) {
      case State.Start:
        return this.start(w, i, end, final);
      case State.Seek:
        return this.seek(w, i, end, final);
      case State.Segment:
        return this.segment(w, i, end, final);
      case State.Entropy:
        return this.entropy(w, i, end, final);
      case State.Trailer:
        return this.trailer(w, i, end, final);
    }
  }

  private start(w: Uint8Array, i: number, end: number, final: boolean): number {
    if (end - i < SEGMENT_HEADER_SIZE) {
      if (final) this.f.fail('UNSUPPORTED_FORMAT', 'Not a JPEG: no SOI marker', 0);
      this.wait(SEGMENT_HEADER_SIZE);
      return i;
    }
    if (w[i] !== MARKER_PREFIX || w[i + 1] !== SOI) this.f.fail('UNSUPPORTED_FORMAT', 'Not a JPEG: no SOI marker', 0);
    this.toSeek(i + 2);
    return i + 2;
  }

  private toSeek(i: number): void {
    this.state = State.Seek;
    this.seekFrom = i + this.delta;
    this.runStart = -1;
  }

  /**
   * Finds the next marker's `FF`, fill bytes skipped. Bytes that are not a
   * marker (a stray `FF 00`, junk after a segment) are skipped the way libjpeg
   * skips them, and reported as removed: they are never copied.
   */
  private seek(w: Uint8Array, i: number, end: number, final: boolean): number {
    let p = i;
    for (;;) {
      p = w.indexOf(MARKER_PREFIX, p);
      if (p < 0 || p >= end || p + 1 >= end) {
        if (final) this.f.fail('TRUNCATED', 'The JPEG ends before its EOI marker', this.seekFrom);
        if (p < 0 || p >= end) {
          this.runStart = -1;
          this.wait(2);
          return end;
        }
        this.wait(2); // keep the last FF: its next byte decides
        return p;
      }
      const next = w[p + 1];
      if (next === MARKER_PREFIX) {
        if (this.runStart < 0) this.runStart = p + this.delta;
        p += 1; // fill byte
        continue;
      }
      if (next === 0x00) {
        this.runStart = -1;
        p += 2; // FF 00 outside a scan is not a marker
        continue;
      }
      // The run of fill bytes before the marker is legal; anything before it is not.
      const first = this.runStart >= 0 ? this.runStart : p + this.delta;
      if (first > this.seekFrom) this.f.remove('unknown', 'garbage', this.seekFrom, first - this.seekFrom, 'bytes between segments');
      this.state = State.Segment;
      return p;
    }
  }

  private segment(w: Uint8Array, i: number, end: number, final: boolean): number {
    const pos = i + this.delta;
    const marker = w[i + 1];
    const rule = RULE_OF[marker];
    if (rule === 'end') {
      if (this.scans === 0) this.f.fail('MALFORMED', 'EOI before any scan: the JPEG has no image data', pos);
      this.out.write(EOI_BYTES);
      this.state = State.Trailer;
      this.trailerStart = pos + 2;
      return i + 2;
    }
    if (rule === 'standalone') {
      this.toSeek(i + 2); // standalone markers outside a scan carry nothing
      return i + 2;
    }
    if (rule === 'start') this.f.fail('MALFORMED', 'SOI inside the image', pos);
    if (end - i < SEGMENT_HEADER_SIZE) {
      if (final) this.f.fail('TRUNCATED', `${markerName(marker)} segment header runs past the end`, pos);
      this.wait(SEGMENT_HEADER_SIZE);
      return i;
    }
    const declared = u16be(w, i + 2);
    if (declared < 2) this.f.fail('MALFORMED', `${markerName(marker)} segment length ${declared} is below 2`, pos);
    const segEnd = i + 2 + declared;
    if (segEnd > end) {
      if (final) this.f.fail('TRUNCATED', `${markerName(marker)} segment runs past the end of the input`, pos);
      this.wait(2 + declared);
      return i;
    }
    if ((rule === 'scan' || rule === 'copy') && !wellFormed(marker, w, i + SEGMENT_HEADER_SIZE, segEnd)) {
      this.f.fail('MALFORMED', `${markerName(marker)} segment content does not match its declared structure`, pos);
    }
    if (rule === 'scan') {
      if (!this.seenFrame) this.f.fail('MALFORMED', 'SOS before any SOF frame header', pos);
      this.scans++;
      if (this.scans > MAX_SCANS) this.f.fail('LIMIT_EXCEEDED', `More than MAX_SCANS (${MAX_SCANS}) scans`, pos);
      if (this.scans === 1) this.writeHeader();
      this.out.copy(w, i, segEnd);
      this.state = State.Entropy;
      this.scanOffset = pos;
      this.ffHeld = 0;
      this.scanDataStart = segEnd + this.delta;
      return this.skipCopied(w, segEnd, end);
    }
    if (rule === 'copy') {
      if (marker === DHP) this.hierarchical = true;
      if (isSof(marker)) {
        // Only the hierarchical process (announced by DHP) has more than one frame. A second frame
        // elsewhere means a second image spliced in, e.g. an MPF image whose SOI and EOI were lost.
        if (this.seenFrame && !this.hierarchical) this.f.fail('MALFORMED', 'A second frame header in a non-hierarchical JPEG', pos);
        this.seenFrame = true;
      }
      if (this.scans > 0) this.out.copy(w, i, segEnd);
      else this.hold(this.piece(w, i, segEnd), pos);
    } else if (marker === COM) {
      // A run of COM segments, back to back in the window, is stepped over in one loop: one report item, no per-segment work.
      let q = segEnd;
      let count = 1;
      while (q + SEGMENT_HEADER_SIZE <= end && w[q] === MARKER_PREFIX && w[q + 1] === COM) {
        const next = q + 2 + u16be(w, q + 2);
        if (next < q + SEGMENT_HEADER_SIZE || next > end) break;
        q = next;
        count++;
      }
      this.f.remove('comment', 'COM', pos, q - i, this.scans > 0 ? 'between scans' : undefined, count);
      this.toSeek(q);
      return q;
    } else if (rule === 'metadata') {
      if (this.scans > 0) {
        const { kind, label } = identify(marker, w, i + SEGMENT_HEADER_SIZE, segEnd);
        this.f.remove(kind, markerName(marker), pos, segEnd - i, label === undefined ? 'between scans' : `${label}, between scans`);
      } else {
        this.classify(marker, w, i, segEnd);
      }
    } else {
      this.f.fail('UNSUPPORTED_FORMAT', `Unsupported JPEG marker ${markerName(marker)}`, pos);
    }
    this.toSeek(segEnd);
    return segEnd;
  }

  /** Copies entropy-coded data up to the next marker that is not RSTn; FF 00 and RSTn are part of the scan. */
  private entropy(w: Uint8Array, i: number, end: number, final: boolean): number {
    let p = i;
    if (this.ffHeld > 0) {
      // w[i] is the last FF of a run whose earlier bytes were held back as a count.
      let last = i;
      while (last + 1 < end && w[last + 1] === MARKER_PREFIX) last++;
      if (last + 1 >= end) return this.holdRun(final, last - i, last);
      const next = w[last + 1];
      if (next !== 0x00 && !isRst(next)) return this.endScan(this.ffOffset, i);
      this.out.write(new Uint8Array(this.ffHeld).fill(MARKER_PREFIX));
      this.ffHeld = 0;
      p = last + 2;
    }
    for (;;) {
      p = this.scanner.stop(w, p, end);
      if (p === end) {
        this.out.copy(w, i, end);
        if (final) this.f.fail('TRUNCATED', 'The JPEG ends inside its entropy-coded data (no EOI)', this.scanOffset);
        this.wait(1);
        return end;
      }
      let last = p;
      while (last + 1 < end && w[last + 1] === MARKER_PREFIX) last++;
      if (last + 1 >= end) {
        this.out.copy(w, i, p);
        this.ffOffset = p + this.delta;
        return this.holdRun(final, last - p, last);
      }
      const next = w[last + 1];
      if (next === 0x00 || isRst(next)) {
        p = last + 2; // stuffed FF data byte or restart marker: part of the scan
        continue;
      }
      this.out.copy(w, i, p);
      if (p > i && i + this.delta === this.scanDataStart) this.scanned.push(this.scanDataStart, p + this.delta);
      return this.endScan(p + this.delta, p);
    }
  }

  /**
   * At the start of a scan's data: when `copiedData` says the bytes from here
   * are a verbatim copy of a scan's data the walk that wrote them read whole
   * (the proof is at `copiedData` in sanitize.ts), they are counted, not read
   * again; the scan goes on from their end, where that walk found its end.
   */
  private skipCopied(w: Uint8Array, i: number, end: number): number {
    const data = this.copiedData;
    const pos = i + this.delta;
    while (this.copiedNext + 1 < data.length && data[this.copiedNext] < pos) this.copiedNext += 2;
    if (this.copiedNext + 1 >= data.length || data[this.copiedNext] !== pos) return i;
    const to = i + (data[this.copiedNext + 1] - pos);
    this.copiedNext += 2;
    if (to <= i || to > end) return i;
    this.out.copy(w, i, to);
    return to;
  }

  /**
   * A run of FF bytes reaches the window's end and the byte after it decides
   * whether it is scan data or fill before a marker: all but its last byte
   * are held back as a count (a hostile run costs no memory), the last stays.
   */
  private holdRun(final: boolean, more: number, last: number): number {
    if (final) this.f.fail('TRUNCATED', 'The JPEG ends inside its entropy-coded data (no EOI)', this.scanOffset);
    this.ffHeld += more;
    this.wait(2);
    return last;
  }

  /** The scan ends at the run of FF bytes starting at input offset `runOffset`; the seek resumes at window index `i`, inside that run. */
  private endScan(runOffset: number, i: number): number {
    this.ffHeld = 0;
    this.state = State.Seek;
    this.seekFrom = runOffset;
    this.runStart = runOffset; // fill bytes, never garbage
    return i;
  }

  private trailer(w: Uint8Array, i: number, end: number, final: boolean): number {
    if (this.trailerLabel === undefined && end > i) {
      if (end - i < TRAILER_LABEL_SIZE && !final) {
        this.wait(TRAILER_LABEL_SIZE);
        return i;
      }
      const head = w.subarray(i, Math.min(end, i + TRAILER_LABEL_SIZE));
      this.trailerLabel = head[0] === MARKER_PREFIX && head[1] === SOI ? 'JPEG image' : hasAscii(head, 4, 'ftyp') ? 'MP4 video' : 'data';
    }
    if (final) {
      const n = end + this.delta;
      if (n > this.trailerStart) this.f.remove('trailer', 'trailer', this.trailerStart, n - this.trailerStart, this.trailerLabel);
    }
    this.wait(1);
    return end;
  }

  private hold(piece: Uint8Array, pos: number): void {
    this.heldBytes += piece.length;
    if (this.heldBytes > MAX_HEADER_BYTES) this.f.fail('LIMIT_EXCEEDED', `The kept header before the first scan exceeds MAX_HEADER_BYTES (${MAX_HEADER_BYTES} bytes)`, pos);
    this.held.push(piece);
  }

  /** An APPn or COM segment before the first scan: kept when a row of `KEPT_APPS` allows it, removed otherwise. */
  private classify(marker: number, w: Uint8Array, i: number, end: number): void {
    const { options } = this;
    const pos = i + this.delta;
    const start = i + SEGMENT_HEADER_SIZE;
    const size = end - start;
    const length = end - i;
    const name = markerName(marker);
    const row = KEPT_APPS.find((r) => r.marker === marker && size >= r.minSize && hasAscii(w, start, r.id));
    if (row?.rule === 'jfif' && this.jfif === undefined) {
      const canonical = size === JFIF_CONTENT_SIZE && w[start + 12] === 0 && w[start + 13] === 0;
      if (canonical) {
        this.jfif = this.piece(w, i, end);
      } else {
        const content = w.slice(start, start + JFIF_CONTENT_SIZE);
        content[12] = 0; // no thumbnail
        content[13] = 0;
        this.jfif = segment(APP0, content);
        this.f.remove('thumbnail', name, pos, length, 'JFIF thumbnail');
      }
      this.heldBytes += this.jfif.length;
      this.f.keep('jfif', name, pos, length, 'JFIF');
      return;
    }
    if (row?.rule === 'orientation' && this.orientation === undefined) {
      const tiffStart = start + EXIF_ID.length;
      this.exifOffset = pos;
      this.orientation = readOrientation(w, tiffStart, end);
      // Our own orientation-only block, met again when re-walking an output, is written afresh: not a removal.
      if (options.keepOrientation && isOrientationOnlyTiff(w, tiffStart, end)) return;
    }
    if (row?.rule === 'icc' && options.keepColorProfile) {
      const chunk = this.piece(w, i, end);
      this.hold(chunk, pos);
      this.held.pop(); // counted in the header budget, written apart
      this.icc.add(chunk, { kind: 'icc', container: name, offset: pos, length, label: iccLabel(w, start) });
      return;
    }
    if (row?.rule === 'adobe' && this.adobe === undefined) {
      this.adobe = size === ADOBE_CONTENT_SIZE ? this.piece(w, i, end) : segment(APP14, w.subarray(start, start + ADOBE_CONTENT_SIZE));
      if (size !== ADOBE_CONTENT_SIZE) this.f.remove('unknown', name, pos, length, 'bytes after Adobe APP14 fields');
      this.heldBytes += this.adobe.length;
      this.f.keep('adobe', name, pos, length, 'Adobe');
      return;
    }
    const { kind, label } = identify(marker, w, start, end);
    this.f.remove(kind, name, pos, length, label);
  }

  /** At the first scan: SOI, JFIF, orientation, ICC, Adobe, then the tables and frame held so far. */
  private writeHeader(): void {
    const { out, options } = this;
    out.write(SOI_BYTES);
    if (this.jfif) out.write(this.jfif);
    const orientation = this.orientation;
    if (options.keepOrientation && orientation !== undefined && orientation !== 1) {
      const content = new Uint8Array(EXIF_ID.length + ORIENTATION_TIFF_SIZE);
      content.set(asciiBytes(EXIF_ID));
      content.set(writeOrientationTiff(orientation), EXIF_ID.length);
      out.write(segment(APP1, content));
      this.f.keep('orientation', 'APP1', this.exifOffset, content.length + SEGMENT_HEADER_SIZE, `Orientation ${orientation}`);
    }
    this.icc.emit(out, this.f, options.keepColorProfileVerbatim);
    if (this.adobe) out.write(this.adobe);
    for (const piece of this.held) out.write(piece);
    this.held = [];
  }
}

export const jpeg = /* @__PURE__ */ streamingHandler('jpeg', (options: ResolvedOptions, _mode: WalkMode, out: Out) => new JpegWalker(options, out));
