// Copies the function bundle built by @image-sanitizer/lambda (dist/bundle/index.mjs) into this
// package's dist/lambda, the folder the construct deploys (src/bundle.ts). The published package
// carries its own copy, so a CDK app installs neither the lambda package nor the AWS SDK.
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const lambdaDir = dirname(createRequire(import.meta.url).resolve('@image-sanitizer/lambda/package.json'));
const source = join(lambdaDir, 'dist', 'bundle', 'index.mjs');
if (!existsSync(source)) {
  console.error(`cdk: ${source} is missing; build @image-sanitizer/lambda first (turbo does: it is a dependency of this package)`);
  process.exit(1);
}
const target = join(packageDir, 'dist', 'lambda', 'index.mjs');
mkdirSync(dirname(target), { recursive: true });
copyFileSync(source, target);
const bytes = statSync(target).size;
console.log(`cdk: function bundle copied to ${relative(process.cwd(), target)} ${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes)`);
