import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // The worker is its own entry: the pool starts it by URL, next to bin.js.
  entry: { bin: 'src/bin.ts', worker: 'src/worker.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  // Every output file starts with a shebang; tsup then marks it executable (chmod 755).
  banner: { js: '#!/usr/bin/env node' },
  define: { __CLI_VERSION__: JSON.stringify(version) },
  // The core is bundled in (one file fewer to resolve and load at every start); exifr stays apart, loaded by `inspect` only.
  noExternal: ['@image-sanitizer/core'],
  external: ['exifr'],
  sourcemap: true,
  clean: true,
});
