export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const gap = 8;

/**
 * Where the window goes when the tray icon is clicked: beside the icon, on the side of the
 * screen the tray is on (top bar on macOS, taskbar at the bottom on Windows, either on Linux),
 * and always inside the work area.
 */
export function positionNearTray(
  tray: Rect,
  window: { width: number; height: number },
  workArea: Rect,
): { x: number; y: number } {
  const trayCentreX = tray.x + tray.width / 2;
  const trayCentreY = tray.y + tray.height / 2;
  const workCentreY = workArea.y + workArea.height / 2;
  const trayAtTop = trayCentreY < workCentreY;
  const trayBesideWork = tray.x >= workArea.x + workArea.width || tray.x + tray.width <= workArea.x;
  let x = Math.round(trayCentreX - window.width / 2);
  let y = trayAtTop ? workArea.y + gap : workArea.y + workArea.height - window.height - gap;
  if (trayBesideWork) {
    // A taskbar on the left or right: the window sits beside it, level with the icon.
    x = tray.x < workArea.x ? workArea.x + gap : workArea.x + workArea.width - window.width - gap;
    y = Math.round(trayCentreY - window.height / 2);
  }
  const clamp = (value: number, min: number, max: number): number =>
    Math.min(Math.max(value, min), Math.max(min, max));
  return {
    x: clamp(x, workArea.x + gap, workArea.x + workArea.width - window.width - gap),
    y: clamp(y, workArea.y + gap, workArea.y + workArea.height - window.height - gap),
  };
}
