import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

const defaults: WindowBounds = { width: 900, height: 640 };

/** Where the window was and how big, kept across runs (written whole, renamed into place). */
export function loadWindowBounds(dataDir: string): WindowBounds {
  try {
    const stored = JSON.parse(
      readFileSync(join(dataDir, 'window.json'), 'utf8'),
    ) as Partial<WindowBounds>;
    const fits = (value: unknown, min: number): value is number =>
      typeof value === 'number' && Number.isFinite(value) && value >= min;
    if (!fits(stored.width, 360) || !fits(stored.height, 300)) return defaults;
    return {
      width: stored.width,
      height: stored.height,
      ...(fits(stored.x, -10_000) && fits(stored.y, -10_000) ? { x: stored.x, y: stored.y } : {}),
    };
  } catch {
    return defaults;
  }
}

export function saveWindowBounds(dataDir: string, bounds: WindowBounds): void {
  const file = join(dataDir, 'window.json');
  writeFileSync(`${file}.tmp`, JSON.stringify(bounds));
  renameSync(`${file}.tmp`, file);
}
