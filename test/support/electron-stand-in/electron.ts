import { appendFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { commandChannel } from '../../../preload/shared/channels.ts';

/**
 * A recording stand-in for the `electron` module, for booting the built app (dist/app/main.js)
 * under Node where Electron's binary cannot run (test/app/boot.test.ts). Every call the app
 * makes is written as one JSON line to $TASKDROP_STAND_IN_RECORD. It plays Electron's part of
 * loading a page as well: loadURL fetches through the app's registered protocol handler, fires
 * the load events, and calls the app's IPC handler as its own page and as a foreign one.
 */
const recordFile = process.env['TASKDROP_STAND_IN_RECORD'] ?? join(tmpdir(), 'stand-in.jsonl');

function describe(value: unknown): unknown {
  if (typeof value === 'function') return '[function]';
  if (value instanceof Uint8Array) return { bytes: value.length };
  return value;
}

function record(call: string, ...args: unknown[]): void {
  const line = JSON.stringify({ call, args }, (_key, value: unknown) => describe(value));
  appendFileSync(recordFile, `${line}\n`);
}

type Handler = (...args: unknown[]) => unknown;
const protocolHandlers = new Map<string, Handler>();
const ipcHandlers = new Map<string, Handler>();
const paths = new Map<string, string>([['userData', join(tmpdir(), 'stand-in-user-data')]]);

class Recorder extends EventEmitter {
  readonly #name: string;
  constructor(name: string) {
    super();
    this.#name = name;
  }
  override on(event: string, listener: (...args: unknown[]) => void): this {
    record(`${this.#name}.on`, event);
    return super.on(event, listener);
  }
  override once(event: string, listener: (...args: unknown[]) => void): this {
    record(`${this.#name}.once`, event);
    // Not super.once, which would go through `on` and record the listener twice.
    return super.prependOnceListener(event, listener);
  }
}

class App extends Recorder {
  readonly isPackaged = false;
  readonly dock = undefined;
  constructor() {
    super('app');
  }
  whenReady(): Promise<void> {
    record('app.whenReady');
    return Promise.resolve();
  }
  requestSingleInstanceLock(): boolean {
    record('app.requestSingleInstanceLock');
    return true;
  }
  setPath(name: string, path: string): void {
    record('app.setPath', name, path);
    paths.set(name, path);
  }
  getPath(name: string): string {
    if (name === 'logs') return join(paths.get('userData') ?? tmpdir(), 'logs');
    return paths.get(name) ?? join(tmpdir(), `stand-in-${name}`);
  }
  /** As Electron's default app sets it for `electron path/to/main.js`: the script's folder. */
  getAppPath(): string {
    return dirname(process.argv[1] ?? '.');
  }
  setAppLogsPath(): void {
    record('app.setAppLogsPath');
  }
  setLoginItemSettings(settings: unknown): void {
    record('app.setLoginItemSettings', settings);
  }
  quit(): void {
    record('app.quit');
  }
  exit(code: number): void {
    record('app.exit', code);
  }
}

export const app = new App();

export const protocol = {
  registerSchemesAsPrivileged(schemes: unknown): void {
    record('protocol.registerSchemesAsPrivileged', schemes);
  },
  handle(scheme: string, handler: Handler): void {
    record('protocol.handle', scheme);
    protocolHandlers.set(scheme, handler);
  },
};

export const ipcMain = {
  handle(channel: string, handler: Handler): void {
    record('ipcMain.handle', channel);
    ipcHandlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    ipcHandlers.delete(channel);
  },
};

class Session {
  setPermissionRequestHandler(): void {
    record('session.setPermissionRequestHandler');
  }
  setPermissionCheckHandler(): void {
    record('session.setPermissionCheckHandler');
  }
}

class WebContents extends Recorder {
  readonly session = new Session();
  constructor() {
    super('webContents');
  }
  setWindowOpenHandler(handler: Handler): void {
    record('webContents.setWindowOpenHandler', handler({ url: 'https://example.com/' }));
  }
  send(channel: string, event: string, payload: unknown): void {
    record('webContents.send', channel, event, payload);
  }
  isDestroyed(): boolean {
    return false;
  }
}

/** What Electron does on loadURL, as far as the app can tell: the page comes, then asks. */
async function loadPage(contents: WebContents, url: string): Promise<void> {
  const scheme = new URL(url).protocol.replace(/:$/, '');
  const response = (await protocolHandlers.get(scheme)?.(new Request(url))) as Response | undefined;
  record('page.response', {
    status: response?.status ?? null,
    type: response?.headers.get('content-type') ?? null,
    csp: response?.headers.get('content-security-policy') ?? null,
  });
  contents.emit('did-finish-load');
  const ask = ipcHandlers.get(commandChannel);
  const asPage = await ask?.({ senderFrame: { url, parent: null } }, 'appInfo', []);
  const asStranger = await ask?.(
    { senderFrame: { url: 'https://evil.example/', parent: null } },
    'appInfo',
    [],
  );
  record('page.ipc', { asPage, asStranger });
}

export class BrowserWindow extends Recorder {
  readonly webContents = new WebContents();
  constructor(options: unknown) {
    super('window');
    record('new BrowserWindow', options);
  }
  loadURL(url: string): Promise<void> {
    record('window.loadURL', url);
    // After the app has added its load listeners, as Electron's events come later too.
    setImmediate(() => {
      this.emit('ready-to-show');
      void loadPage(this.webContents, url);
    });
    return Promise.resolve();
  }
  show(): void {
    record('window.show');
  }
  hide(): void {}
  focus(): void {}
  isVisible(): boolean {
    return true;
  }
  isFocused(): boolean {
    return true;
  }
  getBounds(): { x: number; y: number; width: number; height: number } {
    return { x: 0, y: 0, width: 420, height: 560 };
  }
  getSize(): number[] {
    return [420, 560];
  }
  setPosition(): void {}
}

export class Tray extends Recorder {
  constructor(image: unknown) {
    super('tray');
    record('new Tray', image);
  }
  setImage(image: unknown): void {
    record('tray.setImage', image);
  }
  setToolTip(text: string): void {
    record('tray.setToolTip', text);
  }
  setContextMenu(menu: unknown): void {
    record('tray.setContextMenu', menu);
  }
  getBounds(): { x: number; y: number; width: number; height: number } {
    return { x: 0, y: 0, width: 22, height: 22 };
  }
}

class NativeImage {
  readonly size: { width: number; height: number };
  constructor(width: number, height: number) {
    this.size = { width, height };
  }
  setTemplateImage(template: boolean): void {
    record('image.setTemplateImage', template);
  }
}

export const nativeImage = {
  createEmpty: (): NativeImage => new NativeImage(0, 0),
  createFromBitmap: (_pixels: Uint8Array, options: { width: number; height: number }) =>
    new NativeImage(options.width, options.height),
};

export const Menu = {
  buildFromTemplate: (template: { label?: string; type?: string }[]) => ({
    items: template.map((item) => item.label ?? item.type ?? ''),
  }),
};

export class Notification extends EventEmitter {
  static isSupported(): boolean {
    return false;
  }
  show(): void {}
}

export const dialog = {
  showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }),
};

export const safeStorage = {
  isEncryptionAvailable: () => false,
  encryptString: (text: string) => Buffer.from(text),
  decryptString: (bytes: Buffer) => bytes.toString(),
};

export const screen = {
  getDisplayNearestPoint: () => ({ workArea: { x: 0, y: 0, width: 1280, height: 800 } }),
};

export const shell = {
  openExternal: (url: string) => {
    record('shell.openExternal', url);
    return Promise.resolve();
  },
  trashItem: () => Promise.resolve(),
};

/** An empty clipboard, shaped as Electron's (W3C-like) one; the app only reads it. */
export const clipboard = {
  has: (type: string) => {
    record('clipboard.has', type);
    return Promise.resolve(false);
  },
  read: () => Promise.resolve([]),
  readText: () => {
    record('clipboard.readText');
    return Promise.resolve('');
  },
};

export const globalShortcut = {
  register: (accelerator: string) => {
    record('globalShortcut.register', accelerator);
    return true;
  },
  unregister: (accelerator: string) => record('globalShortcut.unregister', accelerator),
  unregisterAll: () => record('globalShortcut.unregisterAll'),
};
