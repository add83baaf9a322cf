/**
 * The GIF allowlist as data (GIF89a specification section numbers). Blocks
 * that carry the picture (header, logical screen descriptor, colour tables,
 * image descriptors and their LZW data, trailer) always stay; of the
 * extensions only the rows of `KEPT_EXTENSIONS` stay, everything else is
 * removed and named by `NAMED_EXTENSIONS`.
 */
import type { MetadataKind } from '../../types.js';

export const GRAPHIC_CONTROL = 0xf9;
export const COMMENT = 0xfe;
export const PLAIN_TEXT = 0x01;
export const APPLICATION = 0xff;

/** How a kept extension is carried. */
export type ExtensionRule =
  /** Only its defined fields are copied (a Graphic Control Extension's 4-byte block, a looping extension's loop-count sub-block). */
  | 'fields'
  /** Its sub-blocks put together: exactly one whole ICC profile, rewritten without its text and split again (when asked; icc-extension.ts). */
  | 'icc';

export interface ExtensionRow {
  readonly label: number;
  /** The application identifier and authentication code (11 bytes), for application extensions. */
  readonly id?: string;
  readonly rule: ExtensionRule;
}

/** The extensions that may stay, each with the section that defines it. */
export const KEPT_EXTENSIONS: readonly ExtensionRow[] = [
  { label: GRAPHIC_CONTROL, rule: 'fields' }, // GIF89a 23 Graphic Control Extension
  { label: APPLICATION, id: 'NETSCAPE2.0', rule: 'fields' }, // GIF89a 26; Netscape looping extension (sub-block 1: loop count)
  { label: APPLICATION, id: 'ANIMEXTS1.0', rule: 'fields' }, // GIF89a 26; same looping sub-block as NETSCAPE2.0
  { label: APPLICATION, id: 'ICCRGBG1012', rule: 'icc' }, // ICC.1:2022 Annex B.6
];

/** What removed extensions are called in the report (an application extension otherwise: `application` with its identifier). */
export const NAMED_EXTENSIONS: readonly { label: number; id?: string; kind: MetadataKind; container: string; name?: string }[] = [
  { label: COMMENT, kind: 'comment', container: 'comment' }, // GIF89a 24
  { label: PLAIN_TEXT, kind: 'text', container: 'plain-text' }, // GIF89a 25
  { label: APPLICATION, id: 'XMP DataXMP', kind: 'xmp', container: 'application', name: 'XMP' }, // XMP Specification Part 3, 1.1.2
];
