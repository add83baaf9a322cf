import { defineConfig } from 'vitest/config';

// One run over every package (each has its own vitest.config.ts) and the cross-package tests in tests/.
export default defineConfig({
  test: {
    projects: ['packages/*', 'tests'],
  },
});
