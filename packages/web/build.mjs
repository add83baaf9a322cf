// Builds the pages into dist/: three bundles (the page, its worker, the upload example) and the static files.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const here = import.meta.dirname;
const out = join(here, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { main: join(here, 'src/main.ts'), worker: join(here, 'src/worker.ts'), upload: join(here, 'src/upload.ts') },
  outdir: out,
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife', // a classic worker runs in every browser that has workers
  target: 'es2022',
  platform: 'browser',
  logLevel: 'warning',
});
for (const file of ['index.html', 'upload.html', 'style.css']) copyFileSync(join(here, 'src', file), join(out, file));
console.log(`built ${out}`);
