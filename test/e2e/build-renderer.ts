import { buildApp } from '../../scripts/build-app.ts';

/**
 * Vitest global setup: builds the app once, as `npm run build` does: the renderer (into
 * dist/renderer, like `npm run web`), so the browser tests load the UI exactly as shipped, with
 * its real CSP; main and preload, which the boot test, the packaging test and test/electron load.
 */
export default async function buildRenderer(): Promise<void> {
  await buildApp();
}
