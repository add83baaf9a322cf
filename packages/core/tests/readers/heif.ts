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
  /** Absolute `[start, end)` of every sample, in decoding order. */
  samples: [number, number][];
}

/**
 * The tracks of `moov` (ISO/IEC 14496-12 8.3–8.7): handler, sample entries,
 * and where each sample lies, from stsz/stz2, stsc and stco/co64. Trusts the
 * file, like `heifLayout`.
 */
export function heifTracks(bytes: Uint8Array): HeifTrack[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes = (from: number, to: number) => boxList(view, from, to);
  const find = (list: { type: string; start: number; end: number }[], type: string) => list.find((b) => b.type === type);
  const moov = find(boxes(0, view.length), 'moov');
  if (moov === undefined) return [];
  return boxes(moov.start, moov.end)
    .filter((b) => b.type === 'trak')
    .map((trak) => {
      const children = boxes(trak.start, trak.end);
      const tkhd = find(children, 'tkhd')!;
      const id = view.readUInt32BE(tkhd.start + (view[tkhd.start] === 1 ? 20 : 12));
      const mdia = find(children, 'mdia')!;
      const media = boxes(mdia.start, mdia.end);
      const handler = view.toString('latin1', find(media, 'hdlr')!.start + 8, find(media, 'hdlr')!.start + 12);
      const minf = find(media, 'minf')!;
      const stbl = find(boxes(minf.start, minf.end), 'stbl')!;
      const tables = boxes(stbl.start, stbl.end);
      const stsd = find(tables, 'stsd')!;
      const entries = boxes(stsd.start + 8, stsd.end).map((b) => b.type);

      const sizes: number[] = [];
      const stsz = find(tables, 'stsz');
      const stz2 = find(tables, 'stz2');
      if (stsz) {
        const [constant, count] = [view.readUInt32BE(stsz.start + 4), view.readUInt32BE(stsz.start + 8)];
        for (let i = 0; i < count; i++) sizes.push(constant || view.readUInt32BE(stsz.start + 12 + 4 * i));
      } else if (stz2) {
        const [field, count] = [view[stz2.start + 7], view.readUInt32BE(stz2.start + 8)];
        for (let i = 0; i < count; i++) {
          const at = stz2.start + 12 + ((i * field) >> 3);
          sizes.push(field === 16 ? view.readUInt16BE(at) : field === 8 ? view[at] : i % 2 === 0 ? view[at] >> 4 : view[at] & 15);
        }
      }
      const co = find(tables, 'stco') ?? find(tables, 'co64')!;
      const wide = co.type === 'co64';
      const offsets = Array.from({ length: view.readUInt32BE(co.start + 4) }, (_, i) => (wide ? Number(view.readBigUInt64BE(co.start + 8 + 8 * i)) : view.readUInt32BE(co.start + 8 + 4 * i)));
      const stsc = find(tables, 'stsc')!;
      const runs = Array.from({ length: view.readUInt32BE(stsc.start + 4) }, (_, i) => [view.readUInt32BE(stsc.start + 8 + 12 * i), view.readUInt32BE(stsc.start + 12 + 12 * i)]);

      const samples: [number, number][] = [];
      let sample = 0;
      offsets.forEach((offset, chunk) => {
        const run = runs.filter(([first]) => first <= chunk + 1).pop()!;
        let at = offset;
        for (let k = 0; k < run[1]; k++, sample++) {
          samples.push([at, at + sizes[sample]]);
          at += sizes[sample];
        }
      });
      return { id, handler, entries, samples };
    });
}
