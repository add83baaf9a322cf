import { defineConfig } from 'tsup';

export default defineConfig({
  // The main entry, and the two subpaths that let a bundle carry only the formats it names:
  // `@image-sanitizer/core/compose` (createSanitizer) and `@image-sanitizer/core/formats` (the handlers).
  // The ESM build splits the code they share into chunks, so each format's walker is a chunk of its own.
  entry: { index: 'src/index.ts', compose: 'src/compose-entry.ts', formats: 'src/formats-entry.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2020',
  platform: 'neutral',
});
