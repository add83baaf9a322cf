/** What `sanitizeImage()` may keep. Everything else is removed. */
export interface SanitizeOptions {
  /** Keep the ICC colour profile (JPEG APP2 ICC_PROFILE, PNG iCCP). Default `true`. */
  keepColorProfile?: boolean;
  /**
   * Keep the EXIF orientation: when the input's orientation is not 1, write a
   * fresh minimal EXIF block that holds only the Orientation tag. Default `true`.
   */
  keepOrientation?: boolean;
}

export interface ResolvedOptions {
  keepColorProfile: boolean;
  keepOrientation: boolean;
}

import { SanitizeError } from './errors.js';

export function resolveOptions(options: SanitizeOptions | undefined): ResolvedOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new SanitizeError('INVALID_ARGUMENT', 'Expected the `options` argument to be an object or undefined');
  }
  for (const name of ['keepColorProfile', 'keepOrientation'] as const) {
    const value = options?.[name];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new SanitizeError('INVALID_ARGUMENT', `Expected \`options.${name}\` to be a boolean`);
    }
  }
  return {
    keepColorProfile: options?.keepColorProfile ?? true,
    keepOrientation: options?.keepOrientation ?? true,
  };
}
