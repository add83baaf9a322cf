import { defineConfig } from 'tsup';

// The library (createHandler & co.), the settings contract (`@image-sanitizer/lambda/contract`)
// and the local pipeline. The deployable Lambda bundle is built separately by scripts/bundle.mjs.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    contract: 'src/contract.ts',
    'local/start': 'src/local/start.ts',
    'local/harness': 'src/local/harness.ts',
    'backfill/cli': 'src/backfill/cli.ts',
  },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts', contract: 'src/contract.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // Resolve every package (s3rver, fauxqs, the SDK, the core) from node_modules at run time.
  skipNodeModulesBundle: true,
});
