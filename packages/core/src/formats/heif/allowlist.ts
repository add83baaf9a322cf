/**
 * What the HEIF/AVIF walker (index.ts) keeps of a still image's boxes
 * (ISO/IEC 14496-12, HEIF ISO/IEC 23008-12, MIAF 23000-22, AV1-ISOBMFF): the
 * top-level boxes, the `meta` children, the item types it can judge, the
 * item properties and references a kept image needs. Any box, property,
 * item or reference not listed is removed and reported; an item a kept
 * image needs that is not listed is refused. The sequence's `moov` boxes
 * are listed in movie-boxes.ts. Reports never print values.
 */
import type { MetadataKind } from '../../types.js';

export const TOP_LEVEL_KEPT = new Set(['ftyp', 'meta', 'moov', 'mdat']);

/** Brands of still images in HEIF/MIAF/AVIF files and their ISO-BMFF base (23008-12 Annex B, 23000-22, AV1-ISOBMFF). */
export const KNOWN_BRANDS = new Set([
  'mif1', 'mif2', 'mif3', 'msf1', 'miaf', 'heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs', 'heif',
  'avif', 'avis', 'avio', 'MA1A', 'MA1B', 'MiHA', 'MiHB', 'MiHE', 'MiAB', 'MiAC', 'MiCm', 'MiPr', 'MiAn', 'MiBr',
  'jpeg', 'vvic', 'unif', 'iso8', 'isom', 'iso2', 'iso4', 'iso6', 'iso9', 'mp41', 'mp42',
]);

/** Top-level boxes that must be whole: running past the end means the file was cut (`TRUNCATED`), not that a trailer starts. */
export const NEEDED_TOP_LEVEL = new Set(['ftyp', 'meta', 'mdat', 'moov']);

export const FREE_SPACE = new Set(['free', 'skip']); // 14496-12 8.1.2: contents irrelevant, zeroed

export const META_KEPT = new Set(['hdlr', 'pitm', 'iloc', 'iinf', 'iref', 'iprp', 'idat', 'dinf']);

export const HANDLER_PICTURE = 'pict'; // 23008-12: the meta handler of an image collection

/** Item properties (23008-12 6.5, 9.3; AV1-ISOBMFF 2.3; ISO 21496-1) that change how the kept image looks. */
export const PROPERTIES_KEPT = new Set([
  'hvcC', // HEVC decoder configuration
  'av1C', // AV1 decoder configuration
  'ispe', // 6.5.3 image spatial extents
  'pixi', // 6.5.6 pixel information
  'irot', // 6.5.10 image rotation
  'imir', // 6.5.12 image mirroring
  'clap', // 6.5.9 clean aperture
  'pasp', // 6.5.4 pixel aspect ratio
  'auxC', // 6.5.8 auxiliary type (alpha, depth, gain map)
  'clli', // content light level
  'mdcv', // mastering display colour volume
  'cclv', // content colour volume
  'amve', // ambient viewing environment
  'a1op', // AV1 operating point
  'a1lx', // AV1 layered image indexing
  'lsel', // 6.5.11 layer selector
  'rloc', // 6.5.7 relative location
  'colr', // 6.5.5 colour information: nclx always, an ICC profile only when asked
]);

export const ICC_COLOUR_TYPES = new Set(['prof', 'rICC']); // 14496-12 12.1.5: restricted and unrestricted ICC profiles

export const NCLX = 'nclx';

/** Image item types (23008-12 6.6, AV1-ISOBMFF 2.1) whose data the walker can judge; a kept item of any other type is refused. */
export const IMAGE_ITEM_TYPES = new Set(['hvc1', 'av01', 'grid', 'iovl', 'iden']);

/** 23008-12 7.3.1 (HEVC) and MIAF / AV1-ISOBMFF 4 (AV1) alpha planes. */
export const ALPHA_AUX_TYPES = new Set(['urn:mpeg:mpegB:cicp:systems:auxiliary:alpha', 'urn:mpeg:hevc:2015:auxid:1']);

export const AUX_LABELS: Readonly<Record<string, string>> = {
  'urn:mpeg:hevc:2015:auxid:2': 'depth map',
  'urn:mpeg:mpegB:cicp:systems:auxiliary:depth': 'depth map',
  'urn:com:apple:photo:2020:aux:hdrgainmap': 'HDR gain map',
};

/** References kept when every item they link is kept (8.11.12, 23008-12 6.4). */
export const REFERENCES_KEPT = new Set(['dimg', 'auxl', 'base', 'prem']);

/** Top-level boxes known by name, for the report. */
export const TOP_LEVEL_KINDS: Readonly<Record<string, { kind: MetadataKind; label: string }>> = {
  mpvd: { kind: 'application', label: 'Samsung motion photo video' },
  sefd: { kind: 'application', label: 'Samsung SEF data' },
  uuid: { kind: 'application', label: 'vendor box' },
  Exif: { kind: 'exif', label: 'Exif box' },
  XMP_: { kind: 'xmp', label: 'XMP box' },
};
