/**
 * The JPEG allowlist as data: what the walker does with each marker, and
 * which APPn segments may stay. Everything not named here is removed (APPn,
 * COM) or refused (any other marker).
 */
import type { MetadataKind } from '../../types.js';
import {
  APP0, APP1, APP13, APP14, APP15, APP2, COM, DAC, DHP, DHT, DNL, DQT, DRI, EOI, EXP, RST0, RST7, SOF0, SOF15, SOI, SOS, TEM, isSof,
} from './markers.js';

/** What the walker does with a marker. */
export type MarkerRule =
  /** Decoding needs it: copied as it is once its content matches T.81's structure (`wellFormed`). */
  | 'copy'
  /** SOS: copied with its entropy-coded data (RSTn inside stay). */
  | 'scan'
  /** RSTn or TEM outside a scan: carries nothing, dropped. */
  | 'standalone'
  /** EOI: copied; every byte after it is a trailer. */
  | 'end'
  /** SOI: only the first two bytes may be one. */
  | 'start'
  /** APPn and COM: kept only when a row of `KEPT_APPS` says so, otherwise removed. */
  | 'metadata'
  /** JPG, JPGn, RES: extensions nobody can judge. Refused. */
  | 'refuse';

interface MarkerRow {
  readonly first: number;
  readonly last: number;
  readonly name: string;
  readonly rule: MarkerRule;
}

/**
 * One row per marker range, in code order; a marker matches the first row that holds it. Beside each row,
 * the T.81 clause (or the standard) that defines it: a comment, not a field, so it costs no bundle bytes.
 */
export const MARKERS: readonly MarkerRow[] = [
  { first: TEM, last: TEM, name: 'TEM', rule: 'standalone' }, // T.81 B.1.1.3, Table B.1
  { first: DHT, last: DHT, name: 'DHT', rule: 'copy' }, // T.81 B.2.4.2
  { first: DAC, last: DAC, name: 'DAC', rule: 'copy' }, // T.81 B.2.4.3
  { first: SOF0, last: SOF15, name: 'SOFn', rule: 'copy' }, // T.81 B.2.2 (JPG ff c8 is refused: isSof)
  { first: RST0, last: RST7, name: 'RSTn', rule: 'standalone' }, // T.81 B.2.1
  { first: SOI, last: SOI, name: 'SOI', rule: 'start' }, // T.81 B.2.1
  { first: EOI, last: EOI, name: 'EOI', rule: 'end' }, // T.81 B.2.1
  { first: SOS, last: SOS, name: 'SOS', rule: 'scan' }, // T.81 B.2.3
  { first: DQT, last: DQT, name: 'DQT', rule: 'copy' }, // T.81 B.2.4.1
  { first: DNL, last: DNL, name: 'DNL', rule: 'copy' }, // T.81 B.2.5
  { first: DRI, last: DRI, name: 'DRI', rule: 'copy' }, // T.81 B.2.4.4
  { first: DHP, last: DHP, name: 'DHP', rule: 'copy' }, // T.81 B.3.2
  { first: EXP, last: EXP, name: 'EXP', rule: 'copy' }, // T.81 B.3.3
  { first: APP0, last: APP15, name: 'APPn', rule: 'metadata' }, // T.81 B.2.4.6
  { first: COM, last: COM, name: 'COM', rule: 'metadata' }, // T.81 B.2.4.5
];

/** The rule of each of the 256 marker codes, looked up once per segment. */
export const RULE_OF: readonly MarkerRule[] = /* @__PURE__ */ Array.from({ length: 256 }, (_, m) => {
  const row = MARKERS.find((r) => m >= r.first && m <= r.last && (r.name !== 'SOFn' || isSof(m)));
  return row?.rule ?? 'refuse';
});

/** How a kept APPn is carried. */
export type AppRule =
  /** Rewritten to its 14 defined bytes without thumbnail (copied when it already is). The first one only. */
  | 'jfif'
  /** Read for its Orientation; a fresh orientation-only APP1 is written when asked and not 1. The EXIF itself goes. */
  | 'orientation'
  /** The chunks before the first scan, put together: exactly one whole profile, rewritten without its text and split again (when asked; icc-segments.ts). */
  | 'icc'
  /** Rewritten to its 12 defined bytes. The first one only. */
  | 'adobe';

interface AppRow {
  readonly marker: number;
  /** The identifier that opens the content. */
  readonly id: string;
  readonly rule: AppRule;
  /** The smallest content that holds the fields the rule needs. */
  readonly minSize: number;
}

/** JFIF content without thumbnail: identifier, version, units, densities, 0x0 thumbnail. */
export const JFIF_CONTENT_SIZE = 14;
/** Adobe APP14 content: identifier, DCTEncodeVersion, APP14Flags0, APP14Flags1, ColorTransform. */
export const ADOBE_CONTENT_SIZE = 12;
export const JFIF_ID = 'JFIF\0';
export const EXIF_ID = 'Exif\0\0';
export const ICC_ID = 'ICC_PROFILE\0';
export const ADOBE_ID = 'Adobe';

/** The APPn segments that may stay (before the first scan; any APPn between scans is removed). */
export const KEPT_APPS: readonly AppRow[] = [
  { marker: APP0, id: JFIF_ID, rule: 'jfif', minSize: JFIF_CONTENT_SIZE }, // JFIF 1.02 (ECMA TR/98) 10.1
  { marker: APP1, id: EXIF_ID, rule: 'orientation', minSize: EXIF_ID.length }, // Exif 3.0 (CIPA DC-008) 4.5.4, 4.6.4 A
  { marker: APP2, id: ICC_ID, rule: 'icc', minSize: ICC_ID.length + 2 }, // ICC.1:2022 Annex B.4
  { marker: APP14, id: ADOBE_ID, rule: 'adobe', minSize: ADOBE_CONTENT_SIZE }, // Adobe TN 5116 18
];

/** What a removed APPn is, by its identifier, for the report (first match wins; else `application` with the identifier). */
export const NAMED_APPS: readonly { marker: number; id: string; kind: MetadataKind; label: string }[] = [
  { marker: APP0, id: JFIF_ID, kind: 'jfif', label: 'JFIF' },
  { marker: APP0, id: 'JFXX\0', kind: 'thumbnail', label: 'JFXX' },
  { marker: APP1, id: EXIF_ID, kind: 'exif', label: 'Exif' },
  { marker: APP1, id: 'http://ns.adobe.com/xap/1.0/\0', kind: 'xmp', label: 'XMP' },
  { marker: APP1, id: 'http://ns.adobe.com/xmp/extension/\0', kind: 'xmp-extended', label: 'Extended XMP' },
  { marker: APP2, id: ICC_ID, kind: 'icc', label: 'ICC_PROFILE' }, // labelled with its chunk number
  { marker: APP2, id: 'MPF\0', kind: 'secondary-image', label: 'MPF' },
  { marker: APP13, id: 'Photoshop 3.0\0', kind: 'iptc', label: 'Photoshop 3.0' },
  { marker: APP14, id: ADOBE_ID, kind: 'adobe', label: 'Adobe' },
];

