// The messages between the page and its worker. Everything crosses by structured clone; byte arrays are transferred.
import type { ImageFormat, MetadataItem, SanitizeErrorCode } from '@image-sanitizer/core';

/** The page asks the worker to clean one file. */
export interface CleanRequest {
  id: number;
  file: File;
}

/** One field the input carries, as read by exifr: a label and its value as text. */
export interface CarriedField {
  group: 'Camera' | 'Dates' | 'Software' | 'People and text' | 'Other';
  label: string;
  value: string;
}

/** What the input carries, read with exifr (an independent reader) before cleaning. */
export interface Carried {
  fields: CarriedField[];
  gps?: { latitude: number; longitude: number };
  /** The embedded EXIF thumbnail, when there is one. */
  thumbnail?: Uint8Array<ArrayBuffer>;
}

export type Outcome =
  | { ok: true; format: ImageFormat; mime: string; blob: Blob; removed: MetadataItem[]; kept: MetadataItem[] }
  | { ok: false; code: SanitizeErrorCode | 'READ_FAILED'; message: string };

export type WorkerMessage =
  | { id: number; type: 'progress'; phase: 'reading'; loaded: number; total: number }
  | { id: number; type: 'progress'; phase: 'reading-metadata' }
  | { id: number; type: 'result'; size: number; carried?: Carried; outcome: Outcome };
