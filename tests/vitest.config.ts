import { defineConfig } from 'vitest/config';

// Tests that span the packages: the consumer test installs every package from its tarball into a
// project outside the repository. It downloads tools from the npm registry on its first run.
export default defineConfig({
  test: {
    name: 'consumer',
    include: ['consumer/**/*.test.ts'],
    testTimeout: 10 * 60_000,
    hookTimeout: 15 * 60_000,
  },
});
