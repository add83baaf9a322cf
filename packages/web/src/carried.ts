// Reads what a photo carries with exifr, into labelled text fields the page can show.
// Values are shown to the user as text only (textContent), never as markup.
import exifr from 'exifr';
import type { Carried, CarriedField } from './messages.js';

const GROUPS: Record<string, CarriedField['group']> = {
  Make: 'Camera',
  Model: 'Camera',
  SerialNumber: 'Camera',
  BodySerialNumber: 'Camera',
  CameraSerialNumber: 'Camera',
  InternalSerialNumber: 'Camera',
  LensMake: 'Camera',
  LensModel: 'Camera',
  LensSerialNumber: 'Camera',
  DateTimeOriginal: 'Dates',
  CreateDate: 'Dates',
  ModifyDate: 'Dates',
  DateTimeDigitized: 'Dates',
  MetadataDate: 'Dates',
  DateCreated: 'Dates',
  GPSDateStamp: 'Dates',
  Software: 'Software',
  CreatorTool: 'Software',
  HostComputer: 'Software',
  ProcessingSoftware: 'Software',
  Artist: 'People and text',
  Copyright: 'People and text',
  OwnerName: 'People and text',
  CameraOwnerName: 'People and text',
  ImageDescription: 'People and text',
  UserComment: 'People and text',
  creator: 'People and text',
  rights: 'People and text',
  description: 'People and text',
  title: 'People and text',
};

const GROUP_ORDER: CarriedField['group'][] = ['Camera', 'Dates', 'Software', 'People and text', 'Other'];
const MAX_OTHER = 24;
const MAX_VALUE = 160;
/** Fields that say how to decode the picture, or that the GPS line already shows. */
const SKIP = /^(GPS|latitude$|longitude$|Orientation$|ImageWidth$|ImageHeight$|ExifImage|XResolution$|YResolution$|ResolutionUnit$|BitDepth$|ColorType$|Compression$|Filter$|Interlace$|YCbCr|ExifVersion$|FlashpixVersion$|ColorSpace$|ComponentsConfiguration$|ThumbnailOffset$|ThumbnailLength$)/;

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (Array.isArray(value) && value.length > 0 && value.length <= 8 && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return value.join(', ');
  }
  if (value !== null && typeof value === 'object' && 'value' in value) return asText((value as { value: unknown }).value);
  return undefined;
}

function clip(text: string): string {
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > MAX_VALUE ? `${flat.slice(0, MAX_VALUE)}…` : flat;
}

/** What exifr finds in the file (it reads only the parts it needs); undefined when it reads nothing or refuses it. */
export async function readCarried(file: Blob): Promise<Carried | undefined> {
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = await exifr.parse(file, {
      tiff: true,
      exif: true,
      gps: true,
      xmp: true,
      iptc: true,
      ihdr: true,
      icc: false,
      jfif: false,
      makerNote: false,
      userComment: true,
      translateValues: true,
      reviveValues: false, // dates exactly as written, with no time zone guessed
      mergeOutput: true,
    });
  } catch {
    return undefined;
  }
  const carried: Carried = { fields: [] };
  const other: CarriedField[] = [];
  for (const [key, raw] of Object.entries(parsed ?? {})) {
    if (SKIP.test(key)) continue;
    const text = asText(raw);
    if (text === undefined) continue;
    const group = GROUPS[key] ?? 'Other';
    (group === 'Other' ? other : carried.fields).push({ group, label: key, value: clip(text) });
  }
  carried.fields.push(...other.slice(0, MAX_OTHER));
  carried.fields.sort((a, b) => GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group));
  const latitude = parsed?.latitude;
  const longitude = parsed?.longitude;
  if (typeof latitude === 'number' && typeof longitude === 'number' && Number.isFinite(latitude) && Number.isFinite(longitude)) {
    carried.gps = { latitude, longitude };
  }
  try {
    const thumbnail = await exifr.thumbnail(file);
    if (thumbnail instanceof Uint8Array && thumbnail.length > 0) carried.thumbnail = new Uint8Array(thumbnail);
  } catch {
    // no readable thumbnail
  }
  if (carried.fields.length === 0 && carried.gps === undefined && carried.thumbnail === undefined) return undefined;
  return carried;
}
