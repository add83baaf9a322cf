// The built artefacts: the Lambda bundle (as the runtime loads it) and the
// `npm start` entry. Both come from `npm run build`, which `npm test` runs first.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const PACKAGE = join(import.meta.dirname, '..');
const BUNDLE = join(PACKAGE, 'dist', 'bundle', 'index.mjs');
const START = join(PACKAGE, 'dist', 'local', 'start.js');
const BUILT = 'run `npm run build` (root) or `npm run build -w @image-sanitizer/lambda` first';

/**
 * Load the bundle in a fresh Node process, as the Lambda runtime would, and optionally invoke it.
 * The bundle is copied to a folder with no node_modules above it: it must bring everything it imports.
 */
function loadBundle(env: Record<string, string>, event?: unknown) {
  const alone = join(mkdtempSync(join(tmpdir(), 'image-sanitizer-bundle-')), 'index.mjs');
  copyFileSync(BUNDLE, alone);
  const script = `
    const { handler } = await import(${JSON.stringify(alone)});
    const result = ${event === undefined ? 'undefined' : `await handler(${JSON.stringify(event)})`};
    console.log('RESULT ' + JSON.stringify({ type: typeof handler, result: result ?? null }));`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_METRICS_DISABLED: 'true', ...env },
    timeout: 20_000,
  });
}

describe('Lambda bundle (dist/bundle/index.mjs)', () => {
  it('is one ESM file that brings its SDK clients and imports only Node built-ins', () => {
    // Assess
    expect(existsSync(BUNDLE), BUILT).toBe(true);
    const code = readFileSync(BUNDLE, 'utf8');
    const imported = [...code.matchAll(/(?:from\s*|import\s*\(?)"([^"]+)"/g)].map((match) => match[1]);
    // The SDK imports the CRT signer only for SigV4a (multi-region access points), inside a try: not used here.
    const optional = new Set(['@aws-sdk/signature-v4-crt']);
    expect(imported.filter((specifier) => !specifier?.startsWith('node:') && !optional.has(specifier ?? ''))).toEqual([]);
    expect(statSync(BUNDLE).size).toBeLessThan(2 * 1024 * 1024);
  });

  it('exports a handler that ignores s3:TestEvent', () => {
    // Act
    const run = loadBundle({ OUTPUT_BUCKET: 'clean-images', INPUT_BUCKET: 'raw-images' }, { Service: 'Amazon S3', Event: 's3:TestEvent' });

    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('RESULT {"type":"function","result":null}');
  });

  it('refuses to start without an output bucket, saying so', () => {
    // Act
    const run = loadBundle({});

    // Assess
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('ConfigError');
    expect(run.stderr).toContain('OUTPUT_BUCKET is required');
    expect(run.stdout).not.toContain('RESULT');
  });

  it('refuses to start when the output bucket is the input bucket', () => {
    // Act
    const run = loadBundle({ INPUT_BUCKET: 'same-bucket', OUTPUT_BUCKET: 'same-bucket' });

    // Assess
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('OUTPUT_BUCKET must differ from INPUT_BUCKET');
    // The refusal is also one structured log line, for CloudWatch.
    expect(run.stdout + run.stderr).toMatch(/"message":"refusing to start: invalid configuration"/);
  });

  it('refuses to start with a bad MAX_OBJECT_BYTES', () => {
    // Act
    const run = loadBundle({ OUTPUT_BUCKET: 'clean-images', MAX_OBJECT_BYTES: '50MB' });

    // Assess
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('MAX_OBJECT_BYTES must be a whole number of bytes between 1 and 1073741824, got "50MB"');
  });
});

describe('npm start (dist/local/start.js)', () => {
  it('--once runs the repository samples through the pipeline, prints the table and exits 0', () => {
    // Prepare
    expect(existsSync(START), BUILT).toBe(true);
    const manifestFile = join(PACKAGE, '..', '..', 'fixtures', 'manifest.json');
    const manifest: Array<{ file: string }> = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, 'utf8')) : [];

    // Act
    const run = spawnSync(process.execPath, [START, '--once'], {
      encoding: 'utf8',
      env: { ...process.env, S3_PORT: '0', SQS_PORT: '0', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      timeout: 90_000,
    });

    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^key\s+format\s+size in → out\s+removed\s+kept\s+outcome$/m);
    for (const { file } of manifest) expect(run.stdout).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s`, 'm'));
    expect(run.stdout).toMatch(/\d+ sanitized, \d+ rejected .*0 not settled/);
  }, 120_000); // the child may take up to its own 90 s timeout
});
