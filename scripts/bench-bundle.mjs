// Browser bundle sizes of @image-sanitizer/core, as an app would ship it: esbuild bundles the package's ESM build
// (packages/core/dist, through its package.json exports), minifies, and the result is gzipped (level 9).
// Rows: imports from the main entry, then createSanitizer() of @image-sanitizer/core/compose over handlers
// from @image-sanitizer/core/formats, the way a page that accepts only some formats ships the core.
// Run after `npm run build`: `node scripts/bench-bundle.mjs` (also part of `npm run bench`).
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..');
const KB = 1024;

/**
 * A bundle of `createSanitizer(formats)` (the whole API over those formats) from the compose and formats subpaths.
 * @param {string[]} formats
 */
const composed = (formats) =>
  `import { createSanitizer } from '@image-sanitizer/core/compose';\n` +
  `import { ${formats.join(', ')} } from '@image-sanitizer/core/formats';\n` +
  `export const sanitizer = createSanitizer([${formats.join(', ')}]);`;

/** What is imported, and the gzip target it must stay under (undefined: information only). */
export const BUNDLE_CASES = [
  { label: 'import * from core', source: "export * from '@image-sanitizer/core';", target: 15 * KB },
  { label: '{ detectFormat }', source: "export { detectFormat } from '@image-sanitizer/core';", target: 2 * KB },
  { label: '{ sanitizeImage }', source: "export { sanitizeImage } from '@image-sanitizer/core';", target: undefined },
  { label: '{ inspectImage }', source: "export { inspectImage } from '@image-sanitizer/core';", target: undefined },
  { label: 'compose [jpeg]', source: composed(['jpeg']), target: undefined },
  { label: 'compose [jpeg,png,webp]', source: composed(['jpeg', 'png', 'webp']), target: undefined },
  { label: 'compose [jpeg,png,webp,gif]', source: composed(['jpeg', 'png', 'webp', 'gif']), target: undefined },
  { label: 'compose, all 7 formats', source: composed(['jpeg', 'png', 'webp', 'gif', 'heic', 'avif', 'tiff']), target: undefined },
];

/**
 * Minified bundle of `source` (an ES module importing the core) and its gzip size.
 * @param {string} source
 */
export async function bundleSize(source) {
  const result = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: 'js', sourcefile: 'entry.js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { code: result.outputFiles[0].text, minified: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

if (process.argv[1] === import.meta.filename) {
  console.log('\nBrowser bundle of @image-sanitizer/core (esbuild --bundle --minify, gzip -9)');
  console.log('import                          minified     gzip    target   met');
  let allMet = true;
  for (const { label, source, target } of BUNDLE_CASES) {
    const { minified, gzip } = await bundleSize(source);
    const met = target === undefined || gzip < target;
    allMet &&= met;
    const targetText = target === undefined ? '' : `< ${(target / KB).toFixed(0)} KB`;
    console.log(
      `${label.padEnd(30)} ${`${(minified / KB).toFixed(1)} KB`.padStart(9)} ${`${(gzip / KB).toFixed(1)} KB`.padStart(8)} ${targetText.padStart(9)}   ${target === undefined ? '-' : met ? 'yes' : 'NO'}`,
    );
  }
  // Where the whole core's bytes are: the same bundle built from the sources, minified bytes per file.
  const sources = await build({
    entryPoints: [join(ROOT, 'packages/core/src/index.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.entries(Object.values(sources.metafile.outputs)[0].inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput);
  console.log('\nlargest source files in the whole-core bundle (minified, before gzip)');
  for (const [file, { bytesInOutput }] of inputs.slice(0, 8)) console.log(`${file.replace('packages/core/src/', '').padEnd(34)} ${`${(bytesInOutput / KB).toFixed(1)} KB`.padStart(8)}`);
  process.exit(allMet ? 0 : 1);
}
