/** A plain test-side HEIF reader, independent of the core. */


/** One item of a HEIF file, as a plain reader sees it (test-side, independent of the core). */
export interface HeifItem {
  type: string;
  /** Absolute `[start, end)` byte ranges of the item's data. */
  extents: [number, number][];
}

export interface HeifLayout {
  primary: number;
  items: Map<number, HeifItem>;
  references: { type: string; from: number; to: number[] }[];
  /** Every `ipco` property box, as absolute `[start, end)` with its type. */
  properties: { type: string; start: number; end: number }[];
  /** `ipma`: each item's 1-based property indices. */
  associations: Map<number, number[]>;
}

/** The boxes laid end to end in `[from, to)` (ISO/IEC 14496-12 4.2): 32-bit, 64-bit and to-the-end sizes. */
function boxList(view: Buffer, from: number, to: number): { type: string; start: number; end: number; offset: number }[] {
  const list: { type: string; start: number; end: number; offset: number }[] = [];
  for (let at = from; at + 8 <= to; ) {
    let size = view.readUInt32BE(at);
    let header = 8;
    if (size === 1) {
      size = Number(view.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) size = to - at;
    if (size < header) break;
    list.push({ type: view.toString('latin1', at + 4, at + 8), start: at + header, end: at + size, offset: at });
    at += size;
  }
  return list;
}

/**
 * A deliberately simple HEIF reader (ISO/IEC 23008-12): top-level boxes,
 * `pitm`, `iinf`, `iloc` (construction methods 0 and 1), `iref`, `ipco`.
 * It trusts the file; use it on files the core has accepted.
 */
export function heifLayout(bytes: Uint8Array): HeifLayout {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes = (from: number, to: number) => boxList(view, from, to);
  const meta = boxes(0, view.length).find((b) => b.type === 'meta')!;
  const children = boxes(meta.start + 4, meta.end);
  const child = (type: string) => children.find((b) => b.type === type);
  const uint = (at: number, size: number) => (size === 0 ? 0 : size === 2 ? view.readUInt16BE(at) : size === 4 ? view.readUInt32BE(at) : Number(view.readBigUInt64BE(at)));

  const pitm = child('pitm')!;
  const primary = uint(pitm.start + 4, view[pitm.start] === 0 ? 2 : 4);

  const items = new Map<number, HeifItem>();
  const iinf = child('iinf')!;
  for (const infe of boxes(iinf.start + 4 + (view[iinf.start] === 0 ? 2 : 4), iinf.end)) {
    const version = view[infe.start];
    if (version < 2) continue;
    const idSize = version === 2 ? 2 : 4;
    const id = uint(infe.start + 4, idSize);
    items.set(id, { type: view.toString('latin1', infe.start + 4 + idSize + 2, infe.start + 4 + idSize + 6), extents: [] });
  }

  const idat = child('idat');
  const iloc = child('iloc')!;
  const version = view[iloc.start];
  const sizes = view.readUInt16BE(iloc.start + 4);
  const [offsetSize, lengthSize, baseSize] = [sizes >> 12, (sizes >> 8) & 15, (sizes >> 4) & 15];
  const indexSize = version > 0 ? sizes & 15 : 0;
  let p = iloc.start + 6;
  const count = uint(p, version < 2 ? 2 : 4);
  p += version < 2 ? 2 : 4;
  for (let i = 0; i < count; i++) {
    const id = uint(p, version < 2 ? 2 : 4);
    p += version < 2 ? 2 : 4;
    const method = version > 0 ? view.readUInt16BE(p) & 15 : 0;
    if (version > 0) p += 2;
    p += 2; // data_reference_index
    const base = uint(p, baseSize) + (method === 1 && idat ? idat.start : 0);
    p += baseSize;
    const extentCount = view.readUInt16BE(p);
    p += 2;
    const extents: [number, number][] = [];
    for (let k = 0; k < extentCount; k++) {
      p += indexSize;
      const start = base + uint(p, offsetSize);
      p += offsetSize;
      extents.push([start, start + uint(p, lengthSize)]);
      p += lengthSize;
    }
    const item = items.get(id);
    if (item && method < 2) item.extents = extents;
  }

  const references: HeifLayout['references'] = [];
  const iref = child('iref');
  if (iref) {
    const idSize = view[iref.start] === 0 ? 2 : 4;
    for (const r of boxes(iref.start + 4, iref.end)) {
      const n = view.readUInt16BE(r.start + idSize);
      const to = Array.from({ length: n }, (_, k) => uint(r.start + idSize + 2 + k * idSize, idSize));
      references.push({ type: r.type, from: uint(r.start, idSize), to });
    }
  }

  const iprp = child('iprp');
  const ipco = iprp ? boxes(iprp.start, iprp.end).find((b) => b.type === 'ipco') : undefined;
  const properties = ipco ? boxes(ipco.start, ipco.end).map((b) => ({ type: b.type, start: b.offset, end: b.end })) : [];
  const associations = new Map<number, number[]>();
  for (const ipma of iprp ? boxes(iprp.start, iprp.end).filter((b) => b.type === 'ipma') : []) {
    const [ipmaVersion, wide] = [view[ipma.start], view[ipma.start + 3] & 1];
    let q = ipma.start + 4;
    const entries = view.readUInt32BE(q);
    q += 4;
    for (let i = 0; i < entries; i++) {
      const id = ipmaVersion < 1 ? view.readUInt16BE(q) : view.readUInt32BE(q);
      q += ipmaVersion < 1 ? 2 : 4;
      const list = associations.get(id) ?? [];
      for (let n = view[q++]; n > 0; n--) {
        list.push(wide ? view.readUInt16BE(q) & 0x7fff : view[q] & 0x7f);
        q += wide ? 2 : 1;
      }
      associations.set(id, list);
    }
  }
  return { primary, items, references, properties, associations };
}

/** The primary item, what it derives from (`dimg`) and, given the bytes, its alpha planes (`auxl` + alpha `auxC`), recursively: the items a viewer decodes. */
export function heifImageItems(layout: HeifLayout, bytes?: Uint8Array): Set<number> {
  const kept = new Set([layout.primary]);
  const isAlpha = (id: number) => {
    if (bytes === undefined) return false;
    return (layout.associations.get(id) ?? []).some((index) => {
      const property = layout.properties[index - 1];
      if (property?.type !== 'auxC') return false;
      const text = Buffer.from(bytes.subarray(property.start, property.end)).toString('latin1');
      return text.includes('auxiliary:alpha') || text.includes('hevc:2015:auxid:1');
    });
  };
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of layout.references) {
      const derives = r.type === 'dimg' && kept.has(r.from);
      const alphaOfKept = r.type === 'auxl' && r.to.some((id) => kept.has(id)) && !kept.has(r.from) && isAlpha(r.from);
      if (derives) for (const id of r.to) if (!kept.has(id)) grew = kept.add(id) !== undefined;
      if (alphaOfKept) grew = kept.add(r.from) !== undefined;
    }
  }
  return kept;
}

/** One track of an image sequence, as a plain reader sees it. */
export interface HeifTrack {
  id: number;
  handler: string;
  /** Sample entry types in `stsd`, in order. */
  entries: string[];
  /** Per sample entry, the URN of its `auxi` box (23008-12 7.5.3.1), or undefined. */
  auxiliaryTypes: (string | undefined)[];
  /** `tref` boxes: reference type and the track ids it names. */
  references: { type: string; to: number[] }[];
  /** Absolute `[start, end)` of every sample, in decoding order. */
  samples: [number, number][];
  /** Why the track cannot be read (then `samples` is empty); undefined for a well-formed track. */
  malformed?: string;
}

/** A structure the track reader cannot follow: caught per track and reported as `malformed`. */
class MalformedTrack extends Error {}

/**
 * The tracks of `moov` (ISO/IEC 14496-12 8.3–8.7): handler, sample entries,
 * references, and where each sample lies, from stsz/stz2, stsc and
 * stco/co64. Deliberately simple, but it never throws on hostile input: a
 * track it cannot follow (a missing box, a table running past its box, sample
 * counts that disagree, an id used twice) is returned with `malformed` set.
 */
export function heifTracks(bytes: Uint8Array): HeifTrack[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes = (from: number, to: number) => boxList(view, from, Math.min(to, view.length));
  const moov = boxes(0, view.length).find((b) => b.type === 'moov');
  if (moov === undefined) return [];
  const tracks = boxes(moov.start, moov.end)
    .filter((b) => b.type === 'trak')
    .map((trak) => {
      const track: HeifTrack = { id: 0, handler: '', entries: [], auxiliaryTypes: [], references: [], samples: [] };
      try {
        readTrack(view, boxes, trak, track);
      } catch (error) {
        if (!(error instanceof MalformedTrack) && !(error instanceof RangeError)) throw error;
        track.samples = [];
        track.malformed = error.message;
      }
      return track;
    });
  for (const track of tracks) {
    if (track.malformed === undefined && tracks.filter((t) => t.id === track.id).length > 1) track.malformed = `track_ID ${track.id} used twice`;
  }
  return tracks;
}

/** 14496-12 12.1.3: the fields of a VisualSampleEntry before its child boxes. */
const VISUAL_SAMPLE_ENTRY_SIZE = 78;

type Listed = { type: string; start: number; end: number };

function readTrack(view: Buffer, boxes: (from: number, to: number) => Listed[], trak: Listed, track: HeifTrack): void {
  const find = (parent: Listed, type: string, minimum = 0) => {
    const found = boxes(parent.start, parent.end).find((b) => b.type === type);
    if (found === undefined) throw new MalformedTrack(`${parent.type} has no ${type}`);
    if (found.end > parent.end || found.end - found.start < minimum) throw new MalformedTrack(`${type} does not fit`);
    return found;
  };
  const optional = (parent: Listed, type: string) => boxes(parent.start, parent.end).find((b) => b.type === type);
  const tkhd = find(trak, 'tkhd');
  const version = view[tkhd.start];
  if (tkhd.end - tkhd.start !== (version === 1 ? 96 : 84)) throw new MalformedTrack('tkhd is not of its size');
  track.id = view.readUInt32BE(tkhd.start + (version === 1 ? 20 : 12));
  const tref = optional(trak, 'tref');
  for (const r of tref ? boxes(tref.start, tref.end) : []) {
    track.references.push({ type: r.type, to: Array.from({ length: (r.end - r.start) >> 2 }, (_, k) => view.readUInt32BE(r.start + 4 * k)) });
  }
  const mdia = find(trak, 'mdia');
  const hdlr = find(mdia, 'hdlr', 12);
  track.handler = view.toString('latin1', hdlr.start + 8, hdlr.start + 12);
  const minf = find(mdia, 'minf');
  const stbl = find(minf, 'stbl');
  const stsd = find(stbl, 'stsd', 8);
  const entries = boxes(stsd.start + 8, stsd.end);
  track.entries = entries.map((b) => b.type);
  track.auxiliaryTypes = entries.map((entry) => {
    const auxi = boxes(entry.start + VISUAL_SAMPLE_ENTRY_SIZE, entry.end).find((b) => b.type === 'auxi');
    return auxi && view.toString('latin1', auxi.start + 4, Math.min(auxi.end, view.length)).replace(/\0.*$/s, '');
  });

  const sizes: number[] = [];
  const stsz = optional(stbl, 'stsz');
  const stz2 = optional(stbl, 'stz2');
  if (stsz) {
    const [constant, count] = [view.readUInt32BE(stsz.start + 4), view.readUInt32BE(stsz.start + 8)];
    if (constant === 0 && 12 + 4 * count > stsz.end - stsz.start) throw new MalformedTrack('stsz runs past its box');
    if (count > view.length) throw new MalformedTrack('stsz counts more samples than the file has bytes');
    for (let i = 0; i < count; i++) sizes.push(constant || view.readUInt32BE(stsz.start + 12 + 4 * i));
  } else if (stz2) {
    const [field, count] = [view[stz2.start + 7], view.readUInt32BE(stz2.start + 8)];
    if (![4, 8, 16].includes(field) || 12 + Math.ceil((count * field) / 8) > stz2.end - stz2.start) throw new MalformedTrack('stz2 runs past its box');
    for (let i = 0; i < count; i++) {
      const at = stz2.start + 12 + ((i * field) >> 3);
      sizes.push(field === 16 ? view.readUInt16BE(at) : field === 8 ? view[at] : i % 2 === 0 ? view[at] >> 4 : view[at] & 15);
    }
  } else throw new MalformedTrack('stbl has no stsz or stz2');
  const co = optional(stbl, 'stco') ?? find(stbl, 'co64');
  const wide = co.type === 'co64';
  const chunks = view.readUInt32BE(co.start + 4);
  if (8 + chunks * (wide ? 8 : 4) > co.end - co.start) throw new MalformedTrack(`${co.type} runs past its box`);
  const offsets = Array.from({ length: chunks }, (_, i) => (wide ? Number(view.readBigUInt64BE(co.start + 8 + 8 * i)) : view.readUInt32BE(co.start + 8 + 4 * i)));
  const stsc = find(stbl, 'stsc', 8);
  const runCount = view.readUInt32BE(stsc.start + 4);
  if (8 + 12 * runCount > stsc.end - stsc.start) throw new MalformedTrack('stsc runs past its box');
  const runs = Array.from({ length: runCount }, (_, i) => [view.readUInt32BE(stsc.start + 8 + 12 * i), view.readUInt32BE(stsc.start + 12 + 12 * i)]);

  let sample = 0;
  offsets.forEach((offset, chunk) => {
    const run = runs.filter(([first]) => first <= chunk + 1).pop();
    if (run === undefined) throw new MalformedTrack(`no stsc run covers chunk ${chunk + 1}`);
    if (sample + run[1] > sizes.length) throw new MalformedTrack('stsc puts more samples in chunks than stsz counts');
    let at = offset;
    for (let k = 0; k < run[1]; k++, sample++) {
      if (at + sizes[sample] > view.length) throw new MalformedTrack(`sample ${sample} runs past the end of the file`);
      track.samples.push([at, at + sizes[sample]]);
      at += sizes[sample];
    }
  });
  if (sample !== sizes.length) throw new MalformedTrack(`the chunks hold ${sample} samples, stsz counts ${sizes.length}`);
}
