import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { PipelineConfigError } from './errors.js';

/** The workspace package whose build writes the function bundle. */
export const LAMBDA_PACKAGE = '@image-sanitizer/lambda';
/** Where, inside that package, the build writes the bundle (`index.mjs`, handler `index.handler`). */
export const BUNDLE_SUBDIR = join('dist', 'bundle');
/** The bundle's entry file. */
export const BUNDLE_ENTRY = 'index.mjs';

/**
 * Finds `@image-sanitizer/lambda/dist/bundle` the way Node finds a package: in the `node_modules`
 * of this file's folder or of any folder above it (the package's `exports` do not publish the
 * bundle, so `require.resolve` cannot be used). Works from `src/` (tests) and from `dist/`.
 */
export function findLambdaBundleDir(startDir: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = startDir; ; dir = dirname(dir)) {
    const packageDir = join(dir, 'node_modules', LAMBDA_PACKAGE);
    if (existsSync(join(packageDir, 'package.json'))) return join(realpathSync(packageDir), BUNDLE_SUBDIR);
    if (dirname(dir) === dir) break;
  }
  throw new PipelineConfigError(
    'BUNDLE_MISSING',
    `Cannot find the package ${LAMBDA_PACKAGE} in any node_modules above ${startDir}: install the workspace (npm install) or pass the \`code\` prop`,
  );
}

/**
 * `lambda.Code` for the prebuilt bundle in `bundleDir`. Fails with `BUNDLE_MISSING` when the
 * bundle has not been built, instead of deploying an empty function.
 */
export function lambdaBundleCode(bundleDir: string = findLambdaBundleDir()): lambda.Code {
  const entry = join(bundleDir, BUNDLE_ENTRY);
  if (!existsSync(entry)) {
    throw new PipelineConfigError(
      'BUNDLE_MISSING',
      `The Lambda bundle ${entry} does not exist: run \`npm run build\` at the repository root (or \`npm run build -w ${LAMBDA_PACKAGE}\`) first, or pass the \`code\` prop`,
    );
  }
  return lambda.Code.fromAsset(bundleDir);
}
