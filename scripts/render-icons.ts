import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../test/support/browser.ts';

/**
 * `npm run icons`: renders build/icon.svg to the PNGs electron-builder packages, in Debian's
 * Chromium. The PNGs are committed, so packaging needs no browser; electron-builder turns them
 * into .icns (macOS) and .ico (Windows) itself.
 *
 * - build/icon.png, 1024 px: Windows (and the fallback for every platform);
 * - build/icon-macos.png, 1024 px: the same tile inset to Apple's icon grid (824 px, shadowed),
 *   so it sits in the Dock at the size of other apps;
 * - build/icons/NxN.png: Linux's icon theme sizes, each drawn at its size rather than scaled;
 *   up to 32 px from the UI's favicon, the same arrow and tray without the ring, which would
 *   only blur the arrow at that size.
 */
const buildDir = fileURLToPath(new URL('../build/', import.meta.url));
const linuxSizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const icon = readFileSync(`${buildDir}icon.svg`, 'utf8');
const smallIcon = readFileSync(new URL('../renderer/public/favicon.svg', import.meta.url), 'utf8');
const largestSmallSize = 32;

async function render(
  page: Page,
  svg: string,
  { canvas, tile, file }: { canvas: number; tile: number; file: string },
): Promise<void> {
  const inset = (canvas - tile) / 2;
  // Apple's grid: a soft shadow under the tile; the full-bleed icons have none.
  const shadow = inset > 0 ? 'filter: drop-shadow(0 10px 14px rgb(0 0 0 / 0.3));' : '';
  const source = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  await page.setViewportSize({ width: canvas, height: canvas });
  // setContent waits for the page's load event, which waits for the image.
  await page.setContent(
    `<body style="margin:0;background:transparent">` +
      `<img src="${source}" width="${tile}" height="${tile}" ` +
      `style="display:block;margin:${inset}px;${shadow}"></body>`,
  );
  writeFileSync(file, await page.screenshot({ omitBackground: true, type: 'png' }));
  process.stdout.write(`${file.slice(buildDir.length - 'build/'.length)}\n`);
}

const browser = await launchBrowser();
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  await render(page, icon, { canvas: 1024, tile: 1024, file: `${buildDir}icon.png` });
  await render(page, icon, { canvas: 1024, tile: 824, file: `${buildDir}icon-macos.png` });
  mkdirSync(`${buildDir}icons`, { recursive: true });
  for (const size of linuxSizes) {
    const svg = size <= largestSmallSize ? smallIcon : icon;
    await render(page, svg, {
      canvas: size,
      tile: size,
      file: `${buildDir}icons/${size}x${size}.png`,
    });
  }
} finally {
  await browser.close();
}
