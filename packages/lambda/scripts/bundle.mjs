// Bundle the deployable handler into one ESM file for the Lambda runtime the CDK construct
// deploys (nodejs24.x, arm64). The AWS SDK v3 is in the runtime, so it stays external.
import { build } from 'esbuild';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  // The SDK clients are in the runtime; @aws-sdk/lib-storage (multipart uploads) is not promised there, so it is bundled.
  plugins: [
    {
      name: 'runtime-sdk',
      setup(on) {
        on.onResolve({ filter: /^@aws-sdk\// }, (args) => (args.path.startsWith('@aws-sdk/lib-storage') ? undefined : { path: args.path, external: true }));
      },
    },
  ],
  // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
});

const bytes = statSync(outfile).size;
const inputs = Object.keys(result.metafile.inputs).length;
console.log(`lambda bundle: ${relative(process.cwd(), outfile)} ${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes, ${inputs} inputs, @aws-sdk/* external but lib-storage)`);
