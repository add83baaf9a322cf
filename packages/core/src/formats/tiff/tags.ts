/**
 * Which TIFF tags the sanitizer keeps, the types and counts it accepts for
 * each (so that no bytes ride along in a kept tag), and what the removed ones
 * are called in the report.
 */
import type { MetadataKind } from '../../types.js';
import {
  TYPE_BYTE,
  TYPE_DOUBLE,
  TYPE_FLOAT,
  TYPE_LONG,
  TYPE_LONG8,
  TYPE_RATIONAL,
  TYPE_SBYTE,
  TYPE_SHORT,
  TYPE_SLONG,
  TYPE_SRATIONAL,
  TYPE_SSHORT,
  TYPE_UNDEFINED,
} from './structure.js';

export const TAG_NEW_SUBFILE_TYPE = 254;
export const TAG_SUBFILE_TYPE = 255;
export const TAG_IMAGE_WIDTH = 256;
export const TAG_IMAGE_LENGTH = 257;
export const TAG_BITS_PER_SAMPLE = 258;
export const TAG_COMPRESSION = 259;
export const TAG_PHOTOMETRIC = 262;
export const TAG_STRIP_OFFSETS = 273;
export const TAG_ORIENTATION = 274;
export const TAG_SAMPLES_PER_PIXEL = 277;
export const TAG_ROWS_PER_STRIP = 278;
export const TAG_STRIP_BYTE_COUNTS = 279;
export const TAG_PLANAR_CONFIGURATION = 284;
export const TAG_TILE_WIDTH = 322;
export const TAG_TILE_LENGTH = 323;
export const TAG_TILE_OFFSETS = 324;
export const TAG_TILE_BYTE_COUNTS = 325;
export const TAG_JPEG_TABLES = 347;
export const TAG_ICC_PROFILE = 34675; // TIFF/EP, ICC.1 Annex B.4 "InterColorProfile"
export const TAG_DNG_VERSION = 50706; // DNG 1.x, 4.1

/** What a tag's value must look like, given the image's samples per pixel and bits per sample. */
interface Shape {
  spp: number;
  bps: number;
}
type CountRule = (count: number, shape: Shape) => boolean;

const one: CountRule = (c) => c === 1;
/* @__NO_SIDE_EFFECTS__ */
const exactly =
  (k: number): CountRule =>
  (c) =>
    c === k;
const perSample: CountRule = (c, { spp }) => c === 1 || c === spp;
const any: CountRule = (c) => c >= 1;

const INTEGER = [TYPE_SHORT, TYPE_LONG];
const OFFSETS = [TYPE_SHORT, TYPE_LONG, TYPE_LONG8];
const NUMERIC = [TYPE_BYTE, TYPE_SHORT, TYPE_LONG, TYPE_RATIONAL, TYPE_SBYTE, TYPE_SSHORT, TYPE_SLONG, TYPE_SRATIONAL, TYPE_FLOAT, TYPE_DOUBLE];

export interface KeptTag {
  name: string;
  types: readonly number[];
  count: CountRule;
  /**
   * Needed to decode the pixels: a value of the wrong type or count is
   * `MALFORMED`. Any other kept tag in that state is dropped and reported.
   */
  decoding: boolean;
  /**
   * The values TIFF 6.0 defines, for an enumerated integer tag: every
   * element must be one of them. A 16-bit field can hold two bytes of text;
   * a value the spec does not define is no reason to copy them.
   */
  values?: ReadonlySet<number>;
}

/* @__NO_SIDE_EFFECTS__ */
const tag = (name: string, types: readonly number[], count: CountRule, decoding = false, values?: readonly number[]): KeptTag =>
  values === undefined ? { name, types, count, decoding } : { name, types, count, decoding, values: new Set(values) };
/** NewSubfileType bits 0-2 (section 8) and 3-4 (TIFF-FX, MRC): any combination of them. */
const SUBFILE_BITS = /* @__PURE__ */ Array.from({ length: 32 }, (_, i) => i);
/** PhotometricInterpretation (sections 8, 16, 21, 23; TIFF-F; LogLuv; CFA and LinearRaw, refused later as raw). */
const PHOTOMETRICS = [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 32803, 32844, 32845, 34892];

/** TIFF 6.0 baseline and extension tags that change how the pixels are decoded or shown (section numbers of TIFF 6.0). */
export const KEPT_TAGS: ReadonlyMap<number, KeptTag> = /* @__PURE__ */ new Map([
  [TAG_NEW_SUBFILE_TYPE, tag('NewSubfileType', [TYPE_LONG], one, false, SUBFILE_BITS)], // 8
  [TAG_SUBFILE_TYPE, tag('SubfileType', [TYPE_SHORT], one, false, [1, 2, 3])], // 8
  [TAG_IMAGE_WIDTH, tag('ImageWidth', INTEGER, one, true)], // 8
  [TAG_IMAGE_LENGTH, tag('ImageLength', INTEGER, one, true)], // 8
  [TAG_BITS_PER_SAMPLE, tag('BitsPerSample', [TYPE_SHORT], perSample, true)], // 8
  [TAG_COMPRESSION, tag('Compression', [TYPE_SHORT], one, true)], // 8
  [TAG_PHOTOMETRIC, tag('PhotometricInterpretation', [TYPE_SHORT], one, true, PHOTOMETRICS)], // 8
  [263, tag('Threshholding', [TYPE_SHORT], one, false, [1, 2, 3])], // 8
  [266, tag('FillOrder', [TYPE_SHORT], one, true, [1, 2])], // 8
  [TAG_STRIP_OFFSETS, tag('StripOffsets', OFFSETS, any, true)], // 8, rewritten
  [TAG_ORIENTATION, tag('Orientation', [TYPE_SHORT], one)], // 8, only when asked and not 1
  [TAG_SAMPLES_PER_PIXEL, tag('SamplesPerPixel', [TYPE_SHORT], one, true)], // 8
  [TAG_ROWS_PER_STRIP, tag('RowsPerStrip', INTEGER, one, true)], // 8
  [TAG_STRIP_BYTE_COUNTS, tag('StripByteCounts', OFFSETS, any, true)], // 8, rewritten
  [280, tag('MinSampleValue', [TYPE_SHORT], perSample)], // 8
  [281, tag('MaxSampleValue', [TYPE_SHORT], perSample)], // 8
  [282, tag('XResolution', [TYPE_RATIONAL], one)], // 8
  [283, tag('YResolution', [TYPE_RATIONAL], one)], // 8
  [TAG_PLANAR_CONFIGURATION, tag('PlanarConfiguration', [TYPE_SHORT], one, true, [1, 2])], // 8
  [296, tag('ResolutionUnit', [TYPE_SHORT], one, false, [1, 2, 3])], // 8
  [297, tag('PageNumber', [TYPE_SHORT], exactly(2))], // 12
  [301, tag('TransferFunction', [TYPE_SHORT], (c, { bps }) => bps <= 16 && (c === 2 ** bps || c === 3 * 2 ** bps))], // 20
  [317, tag('Predictor', [TYPE_SHORT], one, true, [1, 2, 3])], // 14
  [318, tag('WhitePoint', [TYPE_RATIONAL], exactly(2))], // 20
  [319, tag('PrimaryChromaticities', [TYPE_RATIONAL], exactly(6))], // 20
  [320, tag('ColorMap', [TYPE_SHORT], (c, { bps }) => bps <= 16 && c === 3 * 2 ** bps, true)], // 5, 8
  [321, tag('HalftoneHints', [TYPE_SHORT], exactly(2))], // 17
  [TAG_TILE_WIDTH, tag('TileWidth', INTEGER, one, true)], // 15
  [TAG_TILE_LENGTH, tag('TileLength', INTEGER, one, true)], // 15
  [TAG_TILE_OFFSETS, tag('TileOffsets', OFFSETS, any, true)], // 15, rewritten
  [TAG_TILE_BYTE_COUNTS, tag('TileByteCounts', OFFSETS, any, true)], // 15, rewritten
  [332, tag('InkSet', [TYPE_SHORT], one, true, [1, 2])], // 16
  [334, tag('NumberOfInks', [TYPE_SHORT], one)], // 16
  [336, tag('DotRange', [TYPE_BYTE, TYPE_SHORT], (c, { spp }) => c === 2 || c === 2 * spp)], // 16
  [338, tag('ExtraSamples', [TYPE_SHORT], (c, { spp }) => c >= 1 && c <= spp, true, [0, 1, 2])], // 18
  [339, tag('SampleFormat', [TYPE_SHORT], perSample, true, [1, 2, 3, 4, 5, 6])], // 19
  [340, tag('SMinSampleValue', NUMERIC, perSample)], // 19
  [341, tag('SMaxSampleValue', NUMERIC, perSample)], // 19
  [TAG_JPEG_TABLES, tag('JPEGTables', [TYPE_UNDEFINED], any, true)], // TIFF Technical Note 2
  [529, tag('YCbCrCoefficients', [TYPE_RATIONAL], exactly(3), true)], // 21
  [530, tag('YCbCrSubSampling', [TYPE_SHORT], exactly(2), true, [1, 2, 4])], // 21
  [531, tag('YCbCrPositioning', [TYPE_SHORT], one, false, [1, 2])], // 21
  [532, tag('ReferenceBlackWhite', [TYPE_RATIONAL], exactly(6), true)], // 20
  [TAG_ICC_PROFILE, tag('ICC profile', [TYPE_UNDEFINED, TYPE_BYTE], any)], // only when asked
]);

export interface RemovedTag {
  kind: MetadataKind;
  label: string;
}

/* @__NO_SIDE_EFFECTS__ */
const exif = (label: string): RemovedTag => ({ kind: 'exif', label });
const GEOTIFF: RemovedTag = { kind: 'exif', label: 'GeoTIFF' }; // a geolocation

/** Removed tags known by name. Any other tag is `unknown`, labelled `tag N`. */
const REMOVED_TAGS: ReadonlyMap<number, RemovedTag> = /* @__PURE__ */ new Map([
  [269, exif('DocumentName')],
  [270, exif('ImageDescription')],
  [271, exif('Make')],
  [272, exif('Model')],
  [285, exif('PageName')],
  [286, exif('XPosition')],
  [287, exif('YPosition')],
  [305, exif('Software')],
  [306, exif('DateTime')],
  [315, exif('Artist')],
  [316, exif('HostComputer')],
  [333, exif('InkNames')],
  [33432, exif('Copyright')],
  [42016, exif('ImageUniqueID')],
  [34665, exif('Exif IFD')],
  [34853, exif('GPS IFD')],
  [40965, exif('Interop IFD')],
  [700, { kind: 'xmp', label: 'XMP' }],
  [33723, { kind: 'iptc', label: 'IPTC' }],
  [34377, { kind: 'iptc', label: 'Photoshop' }],
  [330, { kind: 'secondary-image', label: 'SubIFDs' }],
  [513, { kind: 'thumbnail', label: 'JPEGInterchangeFormat' }],
  [514, { kind: 'thumbnail', label: 'JPEGInterchangeFormatLength' }],
  [33550, GEOTIFF], // ModelPixelScaleTag
  [33922, GEOTIFF], // ModelTiepointTag
  [34264, GEOTIFF], // ModelTransformationTag
  [34735, GEOTIFF], // GeoKeyDirectoryTag
  [34736, GEOTIFF], // GeoDoubleParamsTag
  [34737, GEOTIFF], // GeoAsciiParamsTag
  [TAG_ICC_PROFILE, { kind: 'icc', label: 'ICC profile' }],
  [TAG_ORIENTATION, { kind: 'orientation', label: 'Orientation' }],
  [37724, { kind: 'application', label: 'ImageSourceData' }], // Photoshop layers
  [50341, { kind: 'application', label: 'PrintIM' }],
  [42112, { kind: 'unknown', label: 'GDAL_METADATA' }],
  [42113, { kind: 'unknown', label: 'GDAL_NODATA' }],
]);

/** How the report names a removed tag: never its value. */
export function describeRemoved(tagId: number): RemovedTag {
  const known = REMOVED_TAGS.get(tagId);
  if (known !== undefined) return known;
  const kept = KEPT_TAGS.get(tagId);
  return { kind: 'unknown', label: kept !== undefined ? kept.name : `tag ${tagId}` };
}

/** Compression schemes (section 3, 10, 13, 22; TIFF Technical Note 2; libtiff) whose strips carry only coded pixels. */
export const COMPRESSION_NONE = 1;
export const COMPRESSION_OLD_JPEG = 6; // section 22, superseded: tables and APPn anywhere in the file
export const COMPRESSION_JPEG = 7; // Technical Note 2: each strip is a JPEG stream, scanned for APPn/COM
export const PLAIN_COMPRESSIONS: ReadonlySet<number> = new Set([
  COMPRESSION_NONE,
  2, // CCITT modified Huffman RLE
  3, // CCITT T.4
  4, // CCITT T.6
  5, // LZW
  8, // Deflate (Adobe)
  32946, // Deflate (old code)
  32773, // PackBits
  34925, // LZMA2
  50000, // Zstandard
]);

/** Photometric interpretations of camera raw data (DNG 1.x): refused, like DNG itself. */
export const RAW_PHOTOMETRICS: ReadonlySet<number> = new Set([32803, 34892]); // CFA, LinearRaw
