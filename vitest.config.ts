import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

/** The renderer's state classes (`renderer/lib/state/*.svelte.ts`) and their tests. */
const rendererState = 'test/renderer/**/*.test.ts';

export default defineConfig({
  test: {
    reporters: ['default', './test/support/closing-line-reporter.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests start real servers and child processes: two cores, two workers.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: [rendererState],
          // The browser tests (test/e2e) load the built UI: it is built once, before any test runs.
          globalSetup: ['./test/e2e/build-renderer.ts'],
        },
      },
      {
        // Svelte 5 runes in .svelte.ts compile through the svelte plugin, with Svelte's browser
        // runtime (the one the window runs); the classes need no DOM.
        extends: true,
        plugins: [svelte()],
        resolve: { conditions: ['browser'] },
        test: { name: 'renderer-state', include: [rendererState], environment: 'node' },
      },
    ],
  },
});
