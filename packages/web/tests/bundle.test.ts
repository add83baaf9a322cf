// The core is tree-shakable: a page that only sniffs formats ships the sniffer, not the walkers.
// (Sizes of every case are reported by `npm run bench`, scripts/bench-bundle.mjs.)
import { describe, expect, it } from 'vitest';
import { bundleSize } from '../../../scripts/bench-bundle.mjs';

/** Text that only the format walkers and the sanitize pipeline hold. */
const WALKER_CODE = ['IHDR', 'Self-check failed', 'iloc', 'ImageWidth', 'Graphic Control'];
/** Text that only the walkers of formats other than JPEG hold (PNG, HEIF, TIFF, GIF, WebP). */
const NOT_JPEG_CODE = ['IHDR', 'iloc', 'ImageWidth', 'Graphic Control', 'VP8X'];
/** Text of the JPEG allowlist tables (allowlist.ts `KEPT_APPS`, `NAMED_APPS`), not of its walker's code. */
const JPEG_TABLES = ['JFIF', 'ICC_PROFILE'];

/** The bundle of `createSanitizer([names])`, imported from the compose and formats subpaths. */
const composed = (names: string) =>
  bundleSize(
    "import { createSanitizer } from '@image-sanitizer/core/compose';\n" +
      `import { ${names} } from '@image-sanitizer/core/formats';\n` +
      `export const sanitizer = createSanitizer([${names}]);`,
  );
let jpegBundle: ReturnType<typeof composed> | undefined;
/** `composed('jpeg')`, bundled once for the two tests that read it. */
const jpegOnly = () => (jpegBundle ??= composed('jpeg'));

describe('the browser bundle of @image-sanitizer/core', () => {
  it('of { detectFormat } alone holds no walker code and stays under 2 KB gzip', async () => {
    const { code, gzip } = (await bundleSize("export { detectFormat } from '@image-sanitizer/core';"));
    expect(WALKER_CODE.filter((text) => code.includes(text))).toEqual([]);
    expect(gzip).toBeLessThan(2 * 1024);
  });

  it('of the whole core holds every walker (the check above can fail)', async () => {
    const { code } = (await bundleSize("export * from '@image-sanitizer/core';"));
    expect(WALKER_CODE.filter((text) => !code.includes(text))).toEqual([]);
  });

  it('of createSanitizer([jpeg]) from the compose and formats subpaths holds the JPEG walker and no other', async () => {
    const { code } = await jpegOnly();
    expect(code).toContain('Not a JPEG: no SOI marker');
    expect(NOT_JPEG_CODE.filter((text) => code.includes(text))).toEqual([]);
  });

  it('of createSanitizer([png]) holds none of the JPEG allowlist tables (each format is a chunk of its own)', async () => {
    // In one chunk shared by every walker, the JPEG tables stayed: a built chunk's `const`s are `var`s, and
    // a bundler keeps `var SEQUENCE_AT = SEGMENT_HEADER_SIZE + ICC_ID.length` and what it reads.
    const { code } = await composed('png');
    expect(code).toContain('IHDR');
    expect(JPEG_TABLES.filter((text) => code.includes(text))).toEqual([]);
  });

  it('of createSanitizer([jpeg]) holds the JPEG allowlist tables (the check above can fail)', async () => {
    const { code } = await jpegOnly();
    expect(JPEG_TABLES.filter((text) => !code.includes(text))).toEqual([]);
  });

  it('of every format through createSanitizer holds every walker (the check above can fail)', async () => {
    const source =
      "import { createSanitizer } from '@image-sanitizer/core/compose';\n" +
      "import * as formats from '@image-sanitizer/core/formats';\n" +
      'export const sanitizer = createSanitizer(Object.values(formats));';
    const { code } = await bundleSize(source);
    expect(NOT_JPEG_CODE.filter((text) => !code.includes(text))).toEqual([]);
  });
});
