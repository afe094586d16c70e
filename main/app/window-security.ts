import type { BrowserWindowConstructorOptions } from 'electron';

/** Electron's security checklist, as options: isolated, sandboxed, no Node in the page. */
export function secureWebPreferences(
  preloadPath: string,
): BrowserWindowConstructorOptions['webPreferences'] {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

export interface HardenableContents {
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: { preventDefault(): void }, url: string) => void,
  ): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  session: {
    setPermissionRequestHandler(
      handler: (
        contents: unknown,
        permission: string,
        callback: (granted: boolean) => void,
      ) => void,
    ): void;
    setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
  };
}

/**
 * Writing text to the clipboard ("Copy diagnostics"); never reading it. Chromium asks for this
 * permission, which a page of the app's own may have.
 */
const allowedPermission = 'clipboard-sanitized-write';

/**
 * No navigation away from our page, no new windows, no permissions (camera, notifications from
 * the page, ...) but writing to the clipboard: the page only shows the queue; everything else
 * happens in main.
 */
export function hardenContents(contents: HardenableContents, pageUrl: string): void {
  const stay = (event: { preventDefault(): void }, url: string): void => {
    if (url.split('#')[0] !== pageUrl) event.preventDefault();
  };
  contents.on('will-navigate', stay);
  contents.on('will-redirect', stay);
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.session.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(permission === allowedPermission),
  );
  contents.session.setPermissionCheckHandler(
    (_contents, permission) => permission === allowedPermission,
  );
}
