import exifr from 'exifr';

/** What an image tells anyone who opens it, read with exifr (EXIF, GPS, XMP, IPTC). */
export interface ReadableMetadata {
  gps?: { latitude: number; longitude: number; altitude?: number };
  /** Revealing fields by group, in a stable order; values are shortened to `MAX_VALUE_CHARS`. */
  fields: MetadataField[];
}

export type FieldGroup = 'camera' | 'dates' | 'software' | 'author' | 'description' | 'location';

export interface MetadataField {
  group: FieldGroup;
  /** The tag name as exifr reports it (`Make`, `DateTimeOriginal`, `creator`, `Byline`, ...). */
  tag: string;
  value: string;
}

/** The tags each group shows, in order. EXIF, XMP (dc, xmp, photoshop, Iptc4xmpCore) and IPTC-IIM names. */
const GROUPS: Record<FieldGroup, readonly string[]> = {
  camera: [
    'Make', 'Model', 'SerialNumber', 'BodySerialNumber', 'InternalSerialNumber', 'CameraSerialNumber',
    'LensMake', 'LensModel', 'LensSerialNumber', 'OwnerName', 'CameraOwnerName', 'UniqueCameraModel',
  ],
  dates: [
    'DateTimeOriginal', 'CreateDate', 'DateTimeDigitized', 'ModifyDate', 'DateTime', 'MetadataDate',
    'DateCreated', 'TimeCreated', 'DigitalCreationDate', 'GPSDateStamp', 'GPSTimeStamp',
  ],
  software: ['Software', 'ProcessingSoftware', 'CreatorTool', 'HostComputer', 'OriginatingProgram'],
  author: [
    'Artist', 'creator', 'Byline', 'BylineTitle', 'Credit', 'Copyright', 'rights', 'CopyrightNotice',
    'XPAuthor', 'AuthorsPosition', 'CaptionWriter', 'Contact', 'Source',
  ],
  description: ['ImageDescription', 'title', 'description', 'Headline', 'Caption', 'UserComment', 'XPComment', 'XPTitle', 'XPSubject', 'XPKeywords', 'Keywords', 'subject'],
  location: ['City', 'Sublocation', 'ProvinceState', 'State', 'Country', 'CountryCode', 'Location'],
};

const MAX_VALUE_CHARS = 200;

const EXIFR_OPTIONS = {
  tiff: true,
  exif: true,
  gps: true,
  xmp: true,
  iptc: true,
  ifd1: false,
  icc: false,
  jfif: false,
  ihdr: false,
  makerNote: false,
  mergeOutput: true,
  // Dates stay as written ('2020:01:01 10:00:00'): reviving them would shift them into the local time zone.
  reviveValues: false,
} as const;

function decodeBytes(bytes: Uint8Array): string {
  // EXIF UserComment: an 8-byte character-code prefix, then the text.
  const prefix = Buffer.from(bytes.subarray(0, 8)).toString('latin1');
  if (prefix.startsWith('ASCII')) return Buffer.from(bytes.subarray(8)).toString('latin1');
  if (prefix.startsWith('UNICODE')) return Buffer.from(bytes.subarray(8)).toString('utf16le');
  if (prefix === '\0\0\0\0\0\0\0\0') return Buffer.from(bytes.subarray(8)).toString('utf8');
  return `(${bytes.length} bytes)`;
}

/** Any exifr value as one line of text. */
function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return decodeBytes(value);
  if (Array.isArray(value)) return value.map(textOf).filter((text) => text !== '').join(', ');
  if (typeof value === 'object' && 'value' in value) return textOf((value as { value: unknown }).value);
  return JSON.stringify(value);
}

function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return printable.length > MAX_VALUE_CHARS ? `${printable.slice(0, MAX_VALUE_CHARS)}…` : printable;
}

/**
 * Read what an image reveals. Returns `undefined` metadata with a reason when
 * exifr cannot read the file (the core's container list still stands).
 */
export async function readMetadata(bytes: Uint8Array): Promise<{ metadata: ReadableMetadata } | { error: string }> {
  let output: Record<string, unknown> | undefined;
  try {
    output = (await exifr.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), EXIFR_OPTIONS)) as
      | Record<string, unknown>
      | undefined;
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  const metadata: ReadableMetadata = { fields: [] };
  if (output === undefined) return { metadata };

  const { latitude, longitude, GPSAltitude, GPSAltitudeRef } = output;
  if (typeof latitude === 'number' && typeof longitude === 'number' && Number.isFinite(latitude) && Number.isFinite(longitude)) {
    metadata.gps = { latitude, longitude };
    if (typeof GPSAltitude === 'number') metadata.gps.altitude = GPSAltitudeRef === 1 ? -GPSAltitude : GPSAltitude;
  }
  for (const [group, tags] of Object.entries(GROUPS) as [FieldGroup, readonly string[]][]) {
    for (const tag of tags) {
      const value = clean(textOf(output[tag]));
      if (value !== '') metadata.fields.push({ group, tag, value });
    }
  }
  return { metadata };
}
