import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/** The app as `npm run build` makes it: renderer, Electron main and preload, into dist/. */
export async function buildApp(): Promise<void> {
  for (const config of ['vite.config.ts', 'vite.app.config.ts', 'vite.preload.config.ts']) {
    await build({
      configFile: fileURLToPath(new URL(`../${config}`, import.meta.url)),
      logLevel: 'warn',
    });
  }
}
