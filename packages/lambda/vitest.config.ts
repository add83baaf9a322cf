import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'lambda',
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The SDK warns once per process that Node 20 support ends in 2027; it is noise in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
