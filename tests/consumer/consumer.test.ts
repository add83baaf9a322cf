// The packages as a user gets them: `npm pack` of every workspace, installed from the tarballs
// into a fresh project outside the repository (os.tmpdir()), then used there the way a user
// would: import and require, type-check, invoke, synthesize, test with Jest, run the CLI, and
// lint each tarball with publint and arethetypeswrong. Needs `npm run build` first (`npm test`
// does it). The project's tools come from the npm registry (the first run downloads them).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const PROJECT_FILES = join(import.meta.dirname, 'project');
const PACKAGES = ['core', 'lambda', 'cdk', 'cli'] as const;
type PackageName = (typeof PACKAGES)[number];
const FIXTURE = join(REPO, 'fixtures', 'jpeg', 'exif-gps-thumbnail.jpg');
const PNG_FIXTURE = join(REPO, 'fixtures', 'png', 'text-chunks.png');

/**
 * What the consumer project installs besides the tarballs. The CDK peers are at the lower bound
 * of @image-sanitizer/cdk's peer ranges, TypeScript at the lowest version the README states.
 */
const CONSUMER_DEPENDENCIES = { 'aws-cdk-lib': '2.252.0', constructs: '10.5.0' };
const CONSUMER_TOOLS = {
  typescript: '~5.7.3',
  '@types/node': '~20.19.0',
  jest: '~30.5.0',
  publint: '~0.3.25',
  '@arethetypeswrong/cli': '~0.18.5',
};

/** The environment of every command: npm's own variables of the outer `npm test` left out. */
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_(package|lifecycle|config_workspace)/i.test(key))),
  AWS_REGION: 'eu-west-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_METRICS_DISABLED: 'true',
  NO_UPDATE_NOTIFIER: '1',
  CI: 'true',
};

let project = '';
const tarballs = {} as Record<PackageName, string>;

/** Runs `command` in the consumer project, printing what it runs, how long it took and, on failure, its output. */
function run(command: string, args: readonly string[], cwd = project): SpawnSyncReturns<string> {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`consumer: ${command} ${args.join(' ')} → exit ${result.status} in ${seconds} s`);
  if (result.status !== 0) console.log(`${result.stdout}\n${result.stderr}`);
  return result;
}

const bin = (name: string): string => join(project, 'node_modules', '.bin', name);
const installed = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8')) as Record<string, unknown>;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'image-sanitizer-consumer-'));
  console.log(`consumer: project in ${project}`);
  // The CLI's code cache (packages/cli/src/launch.ts) goes into the project, not the home folder.
  env.XDG_CACHE_HOME = join(project, 'cache');
  const packDir = join(project, 'tarballs');
  mkdirSync(packDir);
  const pack = run('npm', ['pack', '--json', '--pack-destination', packDir, ...PACKAGES.flatMap((name) => ['--workspace', `packages/${name}`])], REPO);
  expect(pack.status, 'npm pack failed: run `npm run build` first').toBe(0);
  for (const entry of JSON.parse(pack.stdout) as { name: string; filename: string }[]) {
    tarballs[entry.name.replace('@image-sanitizer/', '') as PackageName] = join(packDir, entry.filename);
  }
  cpSync(PROJECT_FILES, project, { recursive: true });
  const fileDependency = (name: PackageName): string => `file:${tarballs[name]}`;
  const manifest = {
    name: 'image-sanitizer-consumer',
    private: true,
    version: '0.0.0',
    dependencies: { ...Object.fromEntries(PACKAGES.map((name) => [`@image-sanitizer/${name}`, fileDependency(name)])), ...CONSUMER_DEPENDENCIES },
    devDependencies: CONSUMER_TOOLS,
    // The lambda and cli tarballs depend on @image-sanitizer/core 0.1.0: the core tarball, not the registry.
    overrides: { '@image-sanitizer/core': '$@image-sanitizer/core' },
  };
  writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']);
  expect(install.status, 'npm install of the tarballs failed').toBe(0);
});

afterAll(() => {
  if (project !== '' && process.env.KEEP_CONSUMER_PROJECT === undefined) rmSync(project, { recursive: true, force: true });
});

describe('the packages installed from their tarballs, outside the repository', () => {
  it('core: import() and require() both load and sanitize, through the main entry and the compose and formats subpaths; lambda and its contract import; the handler answers an s3:TestEvent', () => {
    const esm = run(process.execPath, ['esm.mjs', FIXTURE, PNG_FIXTURE]);
    expect(esm.status).toBe(0);
    expect(esm.stdout).toContain('esm ok');
    const cjs = run(process.execPath, ['cjs.cjs', FIXTURE, PNG_FIXTURE]);
    expect(cjs.status).toBe(0);
    expect(cjs.stdout).toContain('cjs ok');
  });

  it('the declarations compile with tsc --strict, node16 resolution and skipLibCheck false (TypeScript 5.7)', () => {
    expect(installed('typescript').version).toMatch(/^5\.7\./);
    expect(run(bin('tsc'), ['-p', 'tsconfig.json']).status).toBe(0);
    // Core alone, as a browser project sees it: lib DOM and no @types/node.
    expect(run(bin('tsc'), ['-p', 'tsconfig.browser.json']).status).toBe(0);
  });

  it('a plain CDK app synthesizes with the construct, deploying the bundle the cdk package carries', () => {
    const outdir = join(project, 'cdk.out');
    expect(run(process.execPath, ['app.cjs', outdir]).status).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'ConsumerStack.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const functions = Object.values(template.Resources).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Handler === 'index.handler',
    );
    expect(functions).toHaveLength(1);
    expect(functions[0]!.Properties.Runtime).toBe('nodejs24.x');
    const assetKey = String((functions[0]!.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '');
    const deployed = readFileSync(join(outdir, `asset.${assetKey}`, 'index.mjs'));
    expect(deployed.equals(readFileSync(join(project, 'node_modules', '@image-sanitizer', 'cdk', 'dist', 'lambda', 'index.mjs')))).toBe(true);
    expect(deployed.equals(readFileSync(join(REPO, 'packages', 'lambda', 'dist', 'bundle', 'index.mjs')))).toBe(true);
  });

  it('a Jest test (CommonJS, as `cdk init` sets up) requires the construct and asserts on its template', () => {
    const jest = run(bin('jest'), ['--ci', '--rootDir', '.', '--testMatch', '**/pipeline.test.cjs', '--transform', '{}']);
    expect(jest.status).toBe(0);
    expect(jest.stderr).toMatch(/Tests:\s+2 passed, 2 total/);
  });

  it('the CLI binary runs', () => {
    const version = run(bin('image-sanitizer'), ['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe('0.1.0');
    const out = join(project, 'cleaned');
    expect(run(bin('image-sanitizer'), ['clean', FIXTURE, '-o', out]).status).toBe(0);
    expect(existsSync(join(out, 'exif-gps-thumbnail.jpg'))).toBe(true);
    // The installed bin started the bundle through its code cache.
    expect(readdirSync(join(project, 'cache', 'image-sanitizer')).filter((name) => /^bin-[0-9a-f]{8}-clean\.cache$/.test(name))).toHaveLength(1);
  });

  it('the cdk package depends on nothing at run time (the lambda package and the AWS SDK stay out) and ships no app', () => {
    const cdk = installed('@image-sanitizer/cdk');
    expect(cdk.dependencies).toBeUndefined();
    expect(cdk.peerDependencies).toEqual({ 'aws-cdk-lib': '^2.252.0', constructs: '^10.5.0' });
    const dist = join(project, 'node_modules', '@image-sanitizer', 'cdk', 'dist');
    expect(readdirSync(dist)).not.toContain('bin');
    expect(readFileSync(join(dist, 'index.cjs'), 'utf8')).not.toMatch(/require\("@image-sanitizer\/lambda|cdk-nag/);
  });

  it.each(PACKAGES)('%s: LICENSE, repository, homepage, bugs, engines; README links are absolute', (name) => {
    const dir = join(project, 'node_modules', '@image-sanitizer', name);
    const manifest = installed(`@image-sanitizer/${name}`);
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(manifest).toMatchObject({ license: 'MIT', engines: { node: '>=20.19.0' } });
    expect(manifest.repository).toMatchObject({ type: 'git', directory: `packages/${name}` });
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(manifest.bugs).toMatchObject({ url: expect.stringMatching(/^https:\/\//) });
    const links = [...readFileSync(join(dir, 'README.md'), 'utf8').matchAll(/\]\(([^)]+)\)/g)].map((match) => match[1]!);
    expect(links.filter((link) => !/^(https:\/\/|#)/.test(link))).toEqual([]);
  });

  it.each(PACKAGES)('%s: publint --strict reports nothing', (name) => {
    const lint = run(bin('publint'), ['run', tarballs[name], '--strict']);
    expect(lint.status).toBe(0);
    expect(lint.stdout).toContain('All good!');
  });

  it.each(PACKAGES)('%s: arethetypeswrong finds no problem', (name) => {
    // The lambda package is ESM only, on purpose (a Lambda handler and its library); the CLI has no types.
    const profile = name === 'lambda' ? ['--profile', 'esm-only'] : [];
    const check = run(bin('attw'), [tarballs[name], '--format', 'ascii', ...profile]);
    expect(check.status).toBe(0);
    if (name === 'cli') expect(check.stdout).toContain('does not contain types');
    else if (name === 'lambda') expect(check.stdout.split('\n').filter((line) => /⚠️|💀|❌/.test(line) && !line.includes('ignored'))).toEqual([]);
    else expect(check.stdout).toContain('No problems found');
  });
});
