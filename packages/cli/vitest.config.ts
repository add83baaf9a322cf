import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // As in tsup.config.ts: not a package entry, reached from the core's sources.
  resolve: { alias: { '@image-sanitizer/core/internal': fileURLToPath(new URL('../core/src/internal.ts', import.meta.url)) } },
  test: {
    name: 'cli',
    include: ['tests/**/*.test.ts'],
    // Builds dist/ when it is missing or older than src/: the tests run the built binary.
    globalSetup: [fileURLToPath(new URL('./tests/global-setup.ts', import.meta.url))],
    testTimeout: 30_000,
  },
});
