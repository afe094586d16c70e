import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/closing-line-reporter.ts'],
    // The browser tests (test/e2e) load the built UI: it is built once, before any test runs.
    globalSetup: ['./test/e2e/build-renderer.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests start real servers and child processes: two cores, two workers.
    maxWorkers: 2,
  },
});
