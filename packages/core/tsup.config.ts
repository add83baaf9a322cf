import { defineConfig } from 'tsup';

/**
 * The package's entries (package.json `exports`): the main entry, and the two subpaths that let a bundle
 * carry only the formats it names: `@image-sanitizer/core/compose` (createSanitizer) and
 * `@image-sanitizer/core/formats` (the handlers).
 */
const ENTRIES = { index: 'src/index.ts', compose: 'src/compose-entry.ts', formats: 'src/formats-entry.ts' };

/**
 * Each format's walker as an entry of its own, not exported: esbuild splits code into one chunk per set
 * of entries that reach it, so with the three entries alone every walker lands in one shared chunk, and
 * a bundler cannot prove the other formats' tables unused inside it (a built chunk's top-level `const`s
 * are `var`s, so `SIZE + OTHER_SIZE` may have effects). As entries, every format gets its own chunk,
 * which a bundler drops as a whole file (`sideEffects: false`).
 */
const FORMAT_CHUNKS = {
  'formats/jpeg': 'src/formats/jpeg/index.ts',
  'formats/png': 'src/formats/png/index.ts',
  'formats/webp': 'src/formats/webp/index.ts',
  'formats/gif': 'src/formats/gif/index.ts',
  'formats/heif': 'src/formats/heif/index.ts',
  'formats/tiff': 'src/formats/tiff/index.ts',
};

export default defineConfig({
  entry: { ...ENTRIES, ...FORMAT_CHUNKS },
  format: ['esm', 'cjs'],
  dts: { entry: ENTRIES },
  sourcemap: true,
  clean: true,
  // ES2022: class fields stay class fields. Compiled for ES2020 every field became an Object.defineProperty
  // call each time an object was made (`__publicField`): 12% of sanitizeImage's time on 42 kB JPEGs.
  // Every engine the package supports has them: Node 20, Chrome 72, Firefox 75, Safari 14.1 (README, Install).
  target: 'es2022',
  platform: 'neutral',
  // Shared code goes into chunks in the CJS build too: one copy of each module across the entries.
  splitting: true,
});
