import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // The worker is its own entry: the pool starts it by path, next to bin.js.
  // launch.js is what bin/image-sanitizer.js starts: it loads bin.js through the code cache.
  entry: { bin: 'src/bin.ts', worker: 'src/worker.ts', launch: 'src/launch.ts' },
  // CommonJS, one file per entry: an ES module entry makes Node start its ES module loader (which
  // loads fs/promises, readline and more) and resolve, read and link each chunk; `require` of one
  // file does none of that. The commands stay lazy: each is initialised only when it runs, and
  // exifr is required by `inspect` only.
  format: ['cjs'],
  outExtension: () => ({ js: '.js' }),
  platform: 'node',
  target: 'node20',
  // Every output file starts with a shebang; tsup then marks it executable (chmod 755).
  banner: { js: '#!/usr/bin/env node' },
  define: { __CLI_VERSION__: JSON.stringify(version) },
  // The core is bundled in (one file fewer to resolve and load at every start); exifr stays apart, loaded by `inspect` only.
  noExternal: ['@image-sanitizer/core'],
  // From its TypeScript sources, compiled for node20 like the rest of the CLI.
  esbuildOptions(options) {
    options.alias = {
      '@image-sanitizer/core': fileURLToPath(new URL('../core/src/index.ts', import.meta.url)),
      // Not a package entry: what only a build from the sources can reach (a reused output buffer, see clean.ts).
      '@image-sanitizer/core/internal': fileURLToPath(new URL('../core/src/internal.ts', import.meta.url)),
    };
  },
  external: ['exifr'],
  sourcemap: true,
  clean: true,
  // The package is `"type": "module"`; this makes the `.js` files in dist/ CommonJS.
  onSuccess: async () => writeFileSync(new URL('./dist/package.json', import.meta.url), '{ "type": "commonjs" }\n'),
});
