// Bundle the deployable handler into one ESM file for the Lambda runtime
// (nodejs24.x, arm64). The SDK clients the function uses are bundled too,
// tree-shaken (their ES module builds) and minified: importing the runtime's
// full @aws-sdk/client-s3 from disk takes as long as the rest of the cold
// start (measured by `npm run bench`, scripts/bench-coldstart.mjs).
//
// Most of the init is V8 compiling the bundle, so what the function never runs is left out
// (CUTS, scripts/bundle-cuts.mjs, each with why it is safe). The real tracer and the whole handler run on the
// result in tests/dist.test.ts. `node scripts/bundle.mjs --metafile=FILE` also writes esbuild's
// metafile (https://esbuild.github.io/analyze/ shows it), to see what is left and why.
import { build } from 'esbuild';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CUTS } from './bundle-cuts.mjs';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(packageDir, 'dist', 'bundle', 'index.mjs');
mkdirSync(dirname(outfile), { recursive: true });

const result = await build({
  entryPoints: [join(packageDir, 'src', 'lambda.ts')],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  // The SDK's ES module builds (`module`) tree-shake; `main` is their CommonJS build.
  mainFields: ['module', 'main'],
  // @aws-sdk/lib-storage imports these built-ins without the node: prefix.
  alias: { buffer: 'node:buffer', events: 'node:events', stream: 'node:stream' },
  plugins: CUTS,
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
});

const metafile = process.argv.find((argument) => argument.startsWith('--metafile='));
if (metafile !== undefined) writeFileSync(metafile.slice('--metafile='.length), JSON.stringify(result.metafile));
const bytes = statSync(outfile).size;
const inputs = Object.keys(result.metafile.inputs).length;
console.log(`lambda bundle: ${relative(process.cwd(), outfile)} ${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes, ${inputs} inputs, SDK clients bundled)`);
