import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

/** Electron's main process, as ESM; native and Electron modules stay outside the bundle. */
const external = [
  'electron',
  'better-sqlite3',
  '@azure/msal-node',
  'ws',
  ...builtinModules,
  ...builtinModules.map((name) => `node:${name}`),
];

export default defineConfig({
  build: {
    outDir: 'dist/app',
    emptyOutDir: false,
    target: 'node22',
    minify: false,
    sourcemap: true,
    ssr: true,
    rollupOptions: {
      external,
      input: { main: 'main/app/main.ts' },
      output: { format: 'es', dir: 'dist/app', entryFileNames: '[name].js' },
    },
  },
});
