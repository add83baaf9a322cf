/**
 * The WebP allowlist as data (RFC 9649, WebP Container Specification). A
 * chunk not named in `KEPT_CHUNKS` is removed; `NAMED_CHUNKS` says what the
 * report calls the removed ones.
 */
import type { MetadataKind } from '../../types.js';

/** How a kept chunk is carried. */
export type ChunkRule =
  /** The first chunk only: rewritten with flags for what the output holds (2.7.1). */
  | 'vp8x'
  /** Copied as it is, padding byte zeroed. */
  | 'image'
  /** Only its defined fields are copied. */
  | 'fields'
  /** Rebuilt from its header and its image sub-chunks. */
  | 'frame'
  /** Copied when asked, once, in an extended (VP8X) file. */
  | 'icc';

/** The chunks that may stay, each with the RFC 9649 section that defines it. */
export const KEPT_CHUNKS: ReadonlyMap<string, { rule: ChunkRule }> = new Map([
  ['VP8X', { rule: 'vp8x' }], // RFC 9649 2.7.1 Extended File Format
  ['VP8 ', { rule: 'image' }], // RFC 9649 2.5 Simple File Format (Lossy); RFC 6386
  ['VP8L', { rule: 'image' }], // RFC 9649 2.6 Simple File Format (Lossless)
  ['ALPH', { rule: 'image' }], // RFC 9649 2.7.1.2 Alpha
  ['ANIM', { rule: 'fields' }], // RFC 9649 2.7.1.1 Animation (background colour, loop count)
  ['ANMF', { rule: 'frame' }], // RFC 9649 2.7.1.1 Animation frame
  ['ICCP', { rule: 'icc' }], // RFC 9649 2.7.1.4 Color Profile
] as const);

/** What removed chunks are called in the report (anything else: `unknown`). */
export const NAMED_CHUNKS: ReadonlyMap<string, { kind: MetadataKind; label?: string }> = new Map<string, { kind: MetadataKind; label?: string }>([
  ['EXIF', { kind: 'exif', label: 'EXIF' }], // 2.7.1.5 Metadata (its Orientation is read first)
  ['XMP ', { kind: 'xmp', label: 'XMP' }], // 2.7.1.5 Metadata
  ['ICCP', { kind: 'icc' }], // 2.7.1.4 when the profile is not kept
]);
