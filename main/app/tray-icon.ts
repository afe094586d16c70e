import type { TrayState } from './tray-model.ts';

export interface Bitmap {
  width: number;
  height: number;
  /** BGRA, as Electron's nativeImage.createFromBitmap wants it. */
  pixels: Buffer;
}

type Rgb = readonly [number, number, number];

/**
 * Mid tones, each at least 3:1 against both black and white, so one set reads on light and on
 * dark taskbars and panels alike (whose colour Windows and Linux do not reliably tell an app).
 */
export const trayColours: Record<TrayState['kind'], Rgb> = {
  idle: [90, 96, 110],
  uploading: [37, 99, 235],
  paused: [120, 120, 120],
  attention: [220, 38, 38],
};

/**
 * `colour` for Windows and Linux; `template` for the macOS menu bar: black and alpha only, set
 * as a template image, which macOS tints itself for light and dark menu bars and when selected.
 */
export type TrayIconStyle = 'colour' | 'template';

export function trayIconStyleFor(platform: NodeJS.Platform): TrayIconStyle {
  return platform === 'darwin' ? 'template' : 'colour';
}

/**
 * The tray icon, drawn: a ring whose filled arc is the overall progress, a dot in the middle
 * for trouble, two bars when paused. Drawn rather than shipped so every state and scale stays
 * crisp and consistent; the shapes alone tell the states apart, as a template image needs.
 */
export function drawTrayIcon(
  state: TrayState,
  size: number,
  style: TrayIconStyle = 'colour',
): Bitmap {
  const pixels = Buffer.alloc(size * size * 4);
  const [r, g, b] = style === 'template' ? [0, 0, 0] : trayColours[state.kind];
  const centre = (size - 1) / 2;
  const outer = size / 2 - 0.5;
  const inner = outer - Math.max(1.5, size / 8);
  const progress = state.kind === 'uploading' ? state.percent / 100 : 1;
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const dx = x - centre;
      const dy = y - centre;
      const distance = Math.hypot(dx, dy);
      // Clockwise from twelve o'clock, 0..1.
      const angle = (Math.atan2(dx, -dy) / (2 * Math.PI) + 1) % 1;
      let alpha = 0;
      if (distance <= outer && distance >= inner) alpha = angle <= progress ? 255 : 70;
      if (state.kind === 'attention' && distance <= inner / 2) alpha = 255;
      if (state.kind === 'paused' && distance < inner - 1 && Math.abs(dy) < inner / 1.6) {
        const bar = Math.abs(Math.abs(dx) - inner / 3);
        if (bar < Math.max(1, size / 16)) alpha = 255;
      }
      const offset = (y * size + x) * 4;
      pixels[offset] = b;
      pixels[offset + 1] = g;
      pixels[offset + 2] = r;
      pixels[offset + 3] = alpha;
    }
  }
  return { width: size, height: size, pixels };
}
