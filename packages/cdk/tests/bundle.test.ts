import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { findLambdaBundleDir, lambdaBundleCode } from '../src/bundle.js';
import { PipelineConfigError } from '../src/errors.js';
import { ImageSanitizationPipeline } from '../src/pipeline.js';

const here = dirname(fileURLToPath(import.meta.url));
const expectedBundleDir = resolve(here, '../dist/lambda');
const lambdaBundle = resolve(here, '../../lambda/dist/bundle/index.mjs');
const bundleBuilt = existsSync(join(expectedBundleDir, 'index.mjs'));

describe('the Lambda bundle', () => {
  const emptyDir = mkdtempSync(join(tmpdir(), 'no-bundle-'));
  afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

  it('is looked for in this package, at dist/lambda', () => {
    expect(findLambdaBundleDir()).toBe(expectedBundleDir);
  });

  // The build copies it (scripts/copy-lambda-bundle.mjs); the package carries its own copy.
  it.skipIf(!bundleBuilt)('is a copy of the bundle @image-sanitizer/lambda builds (needs `npm run build`)', () => {
    expect(readFileSync(join(expectedBundleDir, 'index.mjs'))).toEqual(readFileSync(lambdaBundle));
  });

  it('missing: fails with BUNDLE_MISSING, naming the missing file and the `code` prop, not a repository build', () => {
    let thrown: unknown;
    try {
      lambdaBundleCode(emptyDir);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PipelineConfigError);
    expect((thrown as PipelineConfigError).code).toBe('BUNDLE_MISSING');
    expect((thrown as Error).message).toContain(join(emptyDir, 'index.mjs'));
    expect((thrown as Error).message).toContain('`code` prop');
    expect((thrown as Error).message).not.toMatch(/npm run build|repository/);
  });

  // Needs `npm run build` (the root `npm test` builds first); skipped, visibly, in a tree that was never built.
  it.skipIf(!bundleBuilt)('is the default code of the function (needs `npm run build`)', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'bundle-synth-'));
    try {
      const app = new App({ outdir });
      const stack = new Stack(app, 'TestStack');
      const pipeline = new ImageSanitizationPipeline(stack, 'Pipeline');
      const assembly = app.synth();
      const fn = assembly.getStackByName('TestStack').template.Resources[stack.getLogicalId(pipeline.sanitizerFunction.node.defaultChild as CfnElement)];
      const assetDir = join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
      expect(readFileSync(join(assetDir, 'index.mjs'))).toEqual(readFileSync(join(expectedBundleDir, 'index.mjs')));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000); // a full synth with asset staging: slow on a loaded 2-core machine
});
