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
const expectedBundleDir = resolve(here, '../../lambda/dist/bundle');
const bundleBuilt = existsSync(join(expectedBundleDir, 'index.mjs'));

describe('the Lambda bundle', () => {
  const emptyDir = mkdtempSync(join(tmpdir(), 'no-bundle-'));
  afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

  it('is found in the workspace package @image-sanitizer/lambda, at dist/bundle', () => {
    expect(findLambdaBundleDir()).toBe(expectedBundleDir);
  });

  it('missing: fails with BUNDLE_MISSING, naming the missing file and the build command', () => {
    let thrown: unknown;
    try {
      lambdaBundleCode(emptyDir);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PipelineConfigError);
    expect((thrown as PipelineConfigError).code).toBe('BUNDLE_MISSING');
    expect((thrown as Error).message).toContain(join(emptyDir, 'index.mjs'));
    expect((thrown as Error).message).toContain('npm run build');
  });

  it('cannot be found from a folder with no node_modules above it that holds the package', () => {
    expect(() => findLambdaBundleDir(emptyDir)).toThrow(/@image-sanitizer\/lambda/);
  });

  // Needs `npm run build` (the root `npm test` builds first); skipped, visibly, in a tree that was never built.
  it.skipIf(!bundleBuilt)('is the default code of the function (needs the built packages/lambda/dist/bundle)', () => {
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
  }, 30_000);
});
