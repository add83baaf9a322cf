import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { PipelineConfigError } from './errors.js';

/**
 * Where, inside this package, the build puts the function bundle (`index.mjs`, handler
 * `index.handler`): a copy of the one `@image-sanitizer/lambda` builds, made by
 * scripts/copy-lambda-bundle.mjs and published with the package.
 */
export const BUNDLE_SUBDIR = join('dist', 'lambda');
/** The bundle's entry file. */
export const BUNDLE_ENTRY = 'index.mjs';

/**
 * The folder of the bundle this package carries: `<package>/dist/lambda`, where `<package>` is
 * the nearest folder above this module that holds a package.json. The same from `src/` (tests)
 * and from `dist/` (both the ESM and the CommonJS build).
 */
export function findLambdaBundleDir(moduleDir: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = moduleDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, BUNDLE_SUBDIR);
    if (dirname(dir) === dir) break;
  }
  throw new PipelineConfigError(
    'BUNDLE_MISSING',
    `No package.json above ${moduleDir}: @image-sanitizer/cdk cannot locate the Lambda bundle it carries; reinstall the package, or pass the \`code\` prop`,
  );
}

/**
 * `lambda.Code` for the prebuilt bundle in `bundleDir`. Fails with `BUNDLE_MISSING` when the
 * bundle is not there, instead of deploying an empty function.
 */
export function lambdaBundleCode(bundleDir: string = findLambdaBundleDir()): lambda.Code {
  const entry = join(bundleDir, BUNDLE_ENTRY);
  if (!existsSync(entry)) {
    throw new PipelineConfigError(
      'BUNDLE_MISSING',
      `The Lambda bundle ${entry} is missing: this installation of @image-sanitizer/cdk is incomplete. Reinstall the package, or pass the \`code\` prop (lambda.Code) to deploy your own build`,
    );
  }
  return lambda.Code.fromAsset(bundleDir);
}
