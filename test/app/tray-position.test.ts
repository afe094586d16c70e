import { describe, expect, it } from 'vitest';
import { positionNearTray } from '../../main/app/tray-position.ts';

const window = { width: 420, height: 560 };

describe('the window beside the tray icon', () => {
  it('hangs below a macOS menu-bar icon, centred on it', () => {
    const workArea = { x: 0, y: 25, width: 1440, height: 875 };
    expect(positionNearTray({ x: 1200, y: 0, width: 22, height: 24 }, window, workArea)).toEqual({
      x: 1001,
      y: 33,
    });
  });

  it('stands above a Windows taskbar icon and stays on the screen at its edge', () => {
    const workArea = { x: 0, y: 0, width: 1920, height: 1040 };
    expect(positionNearTray({ x: 1850, y: 1045, width: 24, height: 30 }, window, workArea)).toEqual(
      { x: 1492, y: 472 },
    );
  });

  it('sits beside a taskbar on the left, level with the icon', () => {
    const workArea = { x: 60, y: 0, width: 1860, height: 1080 };
    expect(positionNearTray({ x: 18, y: 900, width: 24, height: 24 }, window, workArea)).toEqual({
      x: 68,
      y: 512,
    });
  });

  it('keeps a window taller than the screen at its top', () => {
    const workArea = { x: 0, y: 0, width: 800, height: 400 };
    expect(positionNearTray({ x: 700, y: 380, width: 20, height: 20 }, window, workArea)).toEqual({
      x: 372,
      y: 8,
    });
  });
});
