/** What `sanitizeImage()` may keep. Everything else is removed. */
export interface SanitizeOptions {
  /**
   * Keep the ICC colour profile (JPEG APP2 ICC_PROFILE, PNG iCCP, WebP ICCP,
   * GIF ICCRGBG1012, TIFF InterColorProfile, HEIF `colr`). The profile's
   * colour data is kept byte for byte; its text (description, copyright,
   * device and viewing descriptions, metadata, private tags) and its header's
   * date, creator and device fields are not. Default `true`.
   */
  keepColorProfile?: boolean;
  /**
   * With `keepColorProfile`, keep the profile exactly as it is, text and all
   * (it must still be exactly one whole profile). Default `false`.
   */
  keepColorProfileVerbatim?: boolean;
  /**
   * Keep the EXIF orientation: when the input's orientation is not 1, write a
   * fresh minimal EXIF block that holds only the Orientation tag. Default `true`.
   */
  keepOrientation?: boolean;
}

export interface ResolvedOptions {
  keepColorProfile: boolean;
  keepColorProfileVerbatim: boolean;
  keepOrientation: boolean;
}

import { SanitizeError } from './errors.js';

export function resolveOptions(options: SanitizeOptions | undefined): ResolvedOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new SanitizeError('INVALID_ARGUMENT', 'Expected the `options` argument to be an object or undefined');
  }
  for (const name of ['keepColorProfile', 'keepColorProfileVerbatim', 'keepOrientation'] as const) {
    const value = options?.[name];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new SanitizeError('INVALID_ARGUMENT', `Expected \`options.${name}\` to be a boolean`);
    }
  }
  return {
    keepColorProfile: options?.keepColorProfile ?? true,
    keepColorProfileVerbatim: options?.keepColorProfileVerbatim ?? false,
    keepOrientation: options?.keepOrientation ?? true,
  };
}
