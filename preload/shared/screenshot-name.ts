import type { DesktopPlatform } from './accelerator.ts';

const two = (value: number): string => String(value).padStart(2, '0');

/**
 * The name a pasted image gets: the one the OS's own screenshot tool would give it at that
 * moment (local time), so it sorts and reads like the person's other screenshots.
 * macOS `Screenshot 2026-12-03 at 17.44.05.png`, Windows (Snipping Tool)
 * `Screenshot 2026-12-03 174405.png`, Linux (GNOME) `Screenshot from 2026-12-03 17-44-05.png`.
 */
export function screenshotName(at: Date, platform: DesktopPlatform): string {
  const day = `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}`;
  const [hours, minutes, seconds] = [at.getHours(), at.getMinutes(), at.getSeconds()].map(two);
  switch (platform) {
    case 'darwin':
      return `Screenshot ${day} at ${hours}.${minutes}.${seconds}.png`;
    case 'win32':
      return `Screenshot ${day} ${hours}${minutes}${seconds}.png`;
    case 'linux':
      return `Screenshot from ${day} ${hours}-${minutes}-${seconds}.png`;
  }
}

/**
 * Whether a pasted file is an image the browser made up a name for ("image.png"): a bitmap from
 * the clipboard, not a file the person copied, so it is named like a screenshot.
 */
export function isUnnamedClipboardImage(name: string, type: string): boolean {
  return type.startsWith('image/') && /^image\.(png|jpe?g|gif|bmp|webp)$/i.test(name);
}
