import { defineConfig } from 'tsup';

// The library (src/index.ts) as ESM and CommonJS (a CDK app made by `cdk init` is CommonJS, and
// so are its Jest tests), with declarations for both; and the repository's CDK app (bin/app.ts,
// run by cdk.json as dist/bin/app.js). The app needs cdk-nag, a devDependency, so it is left out
// of the published package (`files` excludes dist/bin).
// aws-cdk-lib and constructs are peers, resolved from the app's node_modules.
// `@image-sanitizer/lambda/contract` (a devDependency, plain constants) is bundled in, and no
// declaration refers to it, so that installing this package does not install the function's
// runtime (the AWS SDK);
// scripts/copy-lambda-bundle.mjs then copies the function bundle into dist/lambda.
export default defineConfig({
  entry: { index: 'src/index.ts', 'bin/app': 'bin/app.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  noExternal: [/^@image-sanitizer\/lambda/],
  external: ['aws-cdk-lib', 'constructs', 'cdk-nag'],
  // import.meta.url in the CommonJS build: the bundle is found from the module's own location.
  shims: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
});
