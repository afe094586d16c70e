import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

/** The committed baselines (docs/testing.md says how to update them on purpose). */
export const baselineDir = fileURLToPath(new URL('../e2e/baselines', import.meta.url));

/** Set to 1 to write the screenshots as the new baselines instead of comparing. */
export const updateVariable = 'TASKDROP_UPDATE_BASELINES';

/**
 * How different a screenshot may be and still pass: pixelmatch's colour threshold per pixel
 * (anti-aliasing is ignored), and the share of pixels over it. Text that moves by a glyph (a
 * clock, a temporary folder's name, an upload's speed) stays under the share; a layout that
 * breaks (a column gone, a panel shifted, a theme lost) goes far over it.
 */
export interface Tolerance {
  threshold: number;
  maxDiffRatio: number;
}

export const defaultTolerance: Tolerance = { threshold: 0.1, maxDiffRatio: 0.01 };

/**
 * Compares a screenshot with its baseline; answers null when it matches, else why not (the
 * diff image is written beside the screenshot). With TASKDROP_UPDATE_BASELINES=1 it becomes
 * the baseline.
 */
export function compareWithBaseline(
  screenshotPath: string,
  name: string,
  tolerance: Tolerance = defaultTolerance,
): string | null {
  const baselinePath = join(baselineDir, `${name}.png`);
  if (process.env[updateVariable] === '1') {
    mkdirSync(baselineDir, { recursive: true });
    writeFileSync(baselinePath, readFileSync(screenshotPath));
    return null;
  }
  if (!existsSync(baselinePath)) {
    return `${name}: no baseline yet (run with ${updateVariable}=1 to record test/e2e/baselines/${name}.png)`;
  }
  const actual = PNG.sync.read(readFileSync(screenshotPath));
  const expected = PNG.sync.read(readFileSync(baselinePath));
  if (actual.width !== expected.width || actual.height !== expected.height) {
    return `${name}: ${actual.width}×${actual.height}, the baseline is ${expected.width}×${expected.height}`;
  }
  const diff = new PNG({ width: actual.width, height: actual.height });
  const changed = pixelmatch(actual.data, expected.data, diff.data, actual.width, actual.height, {
    threshold: tolerance.threshold,
  });
  const ratio = changed / (actual.width * actual.height);
  if (ratio <= tolerance.maxDiffRatio) return null;
  const diffPath = screenshotPath.replace(/\.png$/, '-diff.png');
  writeFileSync(diffPath, PNG.sync.write(diff));
  return `${name}: ${(ratio * 100).toFixed(2)} % of pixels differ (at most ${(tolerance.maxDiffRatio * 100).toFixed(2)} %); see ${diffPath}`;
}
