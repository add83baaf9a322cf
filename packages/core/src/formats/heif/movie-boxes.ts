/**
 * Which boxes of an image sequence's `moov` (ISO/IEC 14496-12, HEIF
 * ISO/IEC 23008-12 clause 7, AV1-ISOBMFF) the sanitizer keeps, and how each
 * is written again. One row per kept box, keyed `parent/type`; any box not
 * listed under its parent is removed and reported (`udta`, `meta`, `iods`,
 * `sgpd`/`sbgp`, `btrt`, vendor boxes, ...). Reports never print values.
 */
import type { MetadataKind } from '../../types.js';

export interface KeptMovieBox {
  /** How the box is written again: its fields checked to fill it exactly, what is zeroed or replaced. */
  rule: string;
  clause: string;
}

/** The parent name every sample entry's children are listed under (`av01`, `hvc1`, `hev1`). */
export const SAMPLE_ENTRY = 'sample entry';

/** Keys are plain strings: a computed key would keep this table in bundles that never read it (detectFormat alone). */
export const MOVIE_BOXES: Readonly<Record<string, KeptMovieBox>> = {
  'moov/mvhd': { rule: 'fixed size by version; creation and modification times zeroed', clause: '14496-12 8.2.2' },
  'moov/trak': { rule: 'container; kept when its handler is pict or vide, or auxv with an alpha auxi and an auxl reference to kept pict/vide tracks', clause: '14496-12 8.3.1, 23008-12 7.5.3' },
  'trak/tkhd': { rule: 'fixed size by version; creation and modification times zeroed', clause: '14496-12 8.3.2' },
  'trak/tref': { rule: 'only auxl references between kept tracks', clause: '14496-12 8.3.3, 23008-12 7.5.3' },
  'trak/edts': { rule: 'container of elst', clause: '14496-12 8.6.5' },
  'edts/elst': { rule: 'entries of fixed size by version fill the box', clause: '14496-12 8.6.6' },
  'trak/mdia': { rule: 'container', clause: '14496-12 8.4.1' },
  'mdia/mdhd': { rule: 'fixed size by version; creation and modification times zeroed', clause: '14496-12 8.4.2' },
  'mdia/hdlr': { rule: 'handler type kept; reserved fields zeroed, name empty', clause: '14496-12 8.4.3' },
  'mdia/minf': { rule: 'container', clause: '14496-12 8.4.4' },
  'minf/vmhd': { rule: 'fixed size', clause: '14496-12 12.1.2' },
  'minf/dinf': { rule: 'written as one self-contained url entry; a track in another file is refused', clause: '14496-12 8.7.1, 8.7.2' },
  'minf/stbl': { rule: 'container', clause: '14496-12 8.5.1' },
  'stbl/stsd': { rule: 'visual sample entries av01, hvc1, hev1 only: compressorname zeroed, reserved fields canonical', clause: '14496-12 8.5.2, 12.1.3' },
  'stbl/stts': { rule: 'entries fill the box; sample counts add up to the track’s', clause: '14496-12 8.6.1.2' },
  'stbl/ctts': { rule: 'entries fill the box; sample counts add up to the track’s', clause: '14496-12 8.6.1.3' },
  'stbl/stss': { rule: 'entries fill the box; increasing sample numbers inside the track', clause: '14496-12 8.6.2' },
  'stbl/stsc': { rule: 'entries fill the box; first chunks increasing, description indices valid', clause: '14496-12 8.7.4' },
  'stbl/stsz': { rule: 'entries fill the box', clause: '14496-12 8.7.3.2' },
  'stbl/stz2': { rule: 'entries fill the box (4, 8 or 16 bits)', clause: '14496-12 8.7.3.3' },
  'stbl/stco': { rule: 'every chunk offset rewritten to the compact output', clause: '14496-12 8.7.5' },
  'stbl/co64': { rule: 'written as stco (the output is under 4 GiB), every chunk offset rewritten', clause: '14496-12 8.7.5' },
  'sample entry/av1C': { rule: 'decoder configuration, as it is', clause: 'AV1-ISOBMFF 2.3' },
  'sample entry/hvcC': { rule: 'decoder configuration, as it is', clause: '14496-15 8.3.3' },
  'sample entry/colr': { rule: 'nclx exactly; an ICC profile without its text (keepColorProfile)', clause: '14496-12 12.1.5' },
  'sample entry/pasp': { rule: 'fixed size', clause: '14496-12 12.1.4' },
  'sample entry/clap': { rule: 'fixed size', clause: '14496-12 12.1.4' },
  'sample entry/clli': { rule: 'fixed size', clause: '14496-12 12.1.6' },
  'sample entry/mdcv': { rule: 'fixed size', clause: '14496-12 12.1.7' },
  'sample entry/cclv': { rule: 'the fields its flags announce', clause: '14496-12 12.1.9' },
  'sample entry/amve': { rule: 'fixed size', clause: '14496-12 12.1.8' },
  'sample entry/ccst': { rule: 'fixed size', clause: '23008-12 7.2.3' },
  'sample entry/auxi': { rule: 'exactly the alpha URN', clause: '23008-12 7.5.3.1' },
};

/** Handlers of the tracks kept (23008-12 7.2: `pict` image sequences; 14496-12 12.1: `vide`; 7.5.3: `auxv` auxiliary). */
export const VISUAL_HANDLERS = new Set(['pict', 'vide', 'auxv']);
/** Sample entry types whose children are listed above (AV1-ISOBMFF 2.2, 14496-15 8.4.1). */
export const SAMPLE_ENTRY_TYPES = new Set(['av01', 'hvc1', 'hev1']);
/** Track reference types kept (23008-12 7.5.3: an auxiliary track refers to its master track). */
export const TRACK_REFERENCES_KEPT = new Set(['auxl']);

/** Removed boxes known by name, for the report. */
export const MOVIE_REMOVED: Readonly<Record<string, { kind: MetadataKind; label: string }>> = {
  udta: { kind: 'text', label: 'user data (titles, dates, places, encoder)' },
  meta: { kind: 'text', label: 'metadata box' },
  iods: { kind: 'unknown', label: 'MPEG-4 object descriptor' },
  btrt: { kind: 'unknown', label: 'bit rate' },
  sgpd: { kind: 'unknown', label: 'sample group description' },
  sbgp: { kind: 'unknown', label: 'sample to group' },
  sdtp: { kind: 'unknown', label: 'sample dependencies' },
  uuid: { kind: 'application', label: 'vendor box' },
};
