/**
 * The exact size of the item properties the HEIF walker keeps (ISO/IEC
 * 23008-12 6.5, ISO/IEC 14496-12 12.1.5, AV1-ISOBMFF 2.3): a kept property
 * holds its fields and nothing else, so no bytes ride along after them.
 *
 * Positions: `box.start` is where the payload starts (before a FullBox's
 * version and flags), `box.end` one past the box.
 */
import { fourCC } from '../../bytes/read.js';
import { isWholeIccProfile } from '../../metadata/icc.js';
import { type Box, FULL_BOX_HEADER_SIZE } from './box.js';

/** Payload sizes of the properties whose fields have one size. */
const FIXED_SIZE: Readonly<Record<string, number>> = {
  ispe: FULL_BOX_HEADER_SIZE + 8, // 6.5.3: image_width, image_height (32 bits each)
  irot: 1, // 6.5.10: reserved (6 bits), angle (2 bits)
  imir: 1, // 6.5.12: reserved (7 bits), axis (1 bit)
  clap: 32, // 14496-12 12.1.4: eight 32-bit fields
  pasp: 8, // 14496-12 12.1.4: hSpacing, vSpacing
  clli: 4, // 14496-12 12.1.6: max_content_light_level, max_pic_average_light_level
  mdcv: 24, // 14496-12 12.1.7: 3 primaries, white point (16 bits each), max/min luminance (32 bits)
  amve: 8, // 14496-12 12.1.8: ambient_illuminance (32), ambient_light_x, ambient_light_y (16)
  a1op: 1, // AV1-ISOBMFF 2.3.4: op_index
  lsel: 2, // 6.5.11: layer_id
  rloc: FULL_BOX_HEADER_SIZE + 8, // 6.5.7: horizontal_offset, vertical_offset
};
const COLOUR_TYPE_SIZE = 4; // colr: colour_type 4CC
const NCLX_SIZE = COLOUR_TYPE_SIZE + 7; // primaries, transfer, matrix (16 bits each), full_range_flag + reserved (8 bits)
const CCLV_PRIMARIES = 0x20; // cclv flags: ccv_primaries_present_flag, then min, max, avg luminance present
const CCLV_MIN = 0x10;
const CCLV_MAX = 0x08;
const CCLV_AVG = 0x04;
const A1LX_LARGE_SIZE = 0x01; // a1lx: layer sizes are 32 bits instead of 16

/**
 * True when the kept property `box` holds exactly its fields. `hvcC`, `av1C`
 * (decoder configurations: coded parameter sets) and `auxC` (a URN and a
 * codec-specific subtype) are structures of their own and are not sized here.
 */
export function fillsExactly(input: Uint8Array, box: Box): boolean {
  const size = box.end - box.start;
  const fixed = FIXED_SIZE[box.type];
  if (fixed !== undefined) return size === fixed;
  const at = box.start;
  switch (box.type) {
    case 'pixi': // 6.5.6: FullBox, num_channels, bits_per_channel[num_channels]
      return size > FULL_BOX_HEADER_SIZE && size === FULL_BOX_HEADER_SIZE + 1 + input[at + FULL_BOX_HEADER_SIZE];
    case 'cclv': {
      // 14496-12 12.1.9 / H.265 D.3.40: flags, then each field its flag announces
      if (size < 1) return false;
      const flags = input[at];
      const expected = 1 + (flags & CCLV_PRIMARIES ? 24 : 0) + 4 * [CCLV_MIN, CCLV_MAX, CCLV_AVG].filter((bit) => flags & bit).length;
      return size === expected;
    }
    case 'a1lx': // AV1-ISOBMFF 2.3.5: reserved + large_size, three layer sizes
      return size >= 1 && size === 1 + 3 * (input[at] & A1LX_LARGE_SIZE ? 4 : 2);
    case 'colr': {
      if (size < COLOUR_TYPE_SIZE) return false;
      const colourType = fourCC(input, at);
      if (colourType === 'nclx') return size === NCLX_SIZE;
      // An ICC profile must be exactly one whole profile (its size field, ICC.1 7.2.2, fills the box).
      return isWholeIccProfile(input, at + COLOUR_TYPE_SIZE, box.end);
    }
    default:
      return true;
  }
}
