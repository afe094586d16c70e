import { defineConfig } from 'vite';

/** The sandboxed preload: one self-contained CommonJS file, only `electron` left outside. */
export default defineConfig({
  build: {
    outDir: 'dist/preload',
    emptyOutDir: true,
    target: 'node22',
    minify: false,
    ssr: true,
    rollupOptions: {
      external: ['electron'],
      input: { preload: 'preload/preload.ts' },
      output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
    },
  },
});
