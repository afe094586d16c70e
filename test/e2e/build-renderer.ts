import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/**
 * Vitest global setup: builds the app once, as `npm run build` does: the renderer (into
 * dist/renderer, like `npm run web`), so the browser tests load the UI exactly as shipped, with
 * its real CSP; main and preload, which the boot test, the packaging test and test/electron load.
 */
export default async function buildRenderer(): Promise<void> {
  for (const config of ['vite.config.ts', 'vite.app.config.ts', 'vite.preload.config.ts']) {
    await build({
      configFile: fileURLToPath(new URL(`../../${config}`, import.meta.url)),
      logLevel: 'warn',
    });
  }
}
