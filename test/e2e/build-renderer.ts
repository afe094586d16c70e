import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/**
 * Vitest global setup: builds the renderer once (into dist/renderer, like `npm run web`) so
 * the browser tests load the UI exactly as shipped, with its real CSP.
 */
export default async function buildRenderer(): Promise<void> {
  await build({
    configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)),
    logLevel: 'warn',
  });
}
