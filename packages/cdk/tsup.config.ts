import { defineConfig } from 'tsup';

// The library (src/index.ts, with types) and the CDK app (bin/app.ts, run by cdk.json).
// aws-cdk-lib, constructs and cdk-nag stay external: they are resolved from node_modules.
export default defineConfig({
  entry: { index: 'src/index.ts', 'bin/app': 'bin/app.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  external: ['aws-cdk-lib', 'constructs', 'cdk-nag'],
});
