import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  globalShortcut,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  screen,
  shell,
  Tray,
} from 'electron';
import type { MenuItemConstructorOptions } from 'electron';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { eventChannel } from '../../preload/shared/channels.ts';
import { desktopPlatformOf } from '../../preload/shared/accelerator.ts';
import type { TaskdropEvents } from '../../preload/shared/contract.ts';
import type { Engine } from '../core/engine/engine.ts';
import type { OpenedEngine } from '../core/engine/open-engine.ts';
import { openProcessLog, type Logger } from '../core/logging/logger.ts';
import { DataDirInUseError } from '../core/queue/database.ts';
import { QueueFileError } from '../core/queue/queue-file.ts';
import { preferSmallHeap } from '../core/runtime/heap-mode.ts';
import { openAppEngine } from './app-engine.ts';
import { appPageUrl, appScheme, appSchemePrivileges, serveAppRequest } from './app-protocol.ts';
import { electronClipboardReader } from './clipboard-reader.ts';
import { folderChooser } from './folder-chooser.ts';
import { ShortcutRegistrar } from './global-shortcut.ts';
import { TrayClipboard } from './tray-clipboard.ts';
import { forwardEvents, registerCommandHandler } from './ipc.ts';
import { LaunchBatcher, targetRequestFor } from './launch-batcher.ts';
import { appOverrides } from './launch-settings.ts';
import { NotificationPlanner, type Notice } from './notifications.ts';
import { drawTrayIcon, trayIconStyleFor } from './tray-icon.ts';
import { trayMenu, trayStateOf, trayTooltip, type TrayMenuItem } from './tray-model.ts';
import { positionNearTray } from './tray-position.ts';
import { loadWindowBounds, saveWindowBounds } from './window-state.ts';
import { hardenContents, secureWebPreferences } from './window-security.ts';

// Bundled to dist/app/main.js; the renderer and preload are built beside it. The page is served
// from app:// (main/app/app-protocol.ts), never from file://.
const rendererDir = join(import.meta.dirname, '../renderer');
const pageUrl = appPageUrl;
const preloadFile = join(import.meta.dirname, '../preload/preload.cjs');
const overrides = appOverrides(process.env, app.isPackaged);

let engine: Engine | undefined;
let log: Logger | undefined;
let opened: OpenedEngine | undefined;
let window: BrowserWindow | undefined;
let tray: Tray | undefined;
let quitting = false;
const platform = desktopPlatformOf(process.platform);
const trayClipboard = new TrayClipboard({
  platform,
  notify: (notice) => notify(notice),
  changed: () => refreshTray(),
});

/** The global shortcut: the window, ready for a paste or a drop (the renderer opens the picker). */
const shortcuts = new ShortcutRegistrar(
  globalShortcut,
  (accelerator) => {
    showWindow();
    send('shortcutPressed', { accelerator });
  },
  platform,
);

/**
 * Files from second launches (Open with, Send To), macOS open-file and drops on the tray icon,
 * gathered into batches; held until the window has loaded, so none is lost at start.
 */
const launches = new LaunchBatcher({
  onBatch: (paths) => {
    showWindow();
    void engine
      ?.recentTargets()
      .then((recent) => send('targetRequested', targetRequestFor(paths, recent)));
  },
  isFile: (path) => statSync(path, { throwIfNoEntry: false })?.isFile() === true,
  // Run unpackaged (`electron dist/app/main.js`), the script is on the command line too.
  ownPaths: [process.execPath, app.getAppPath(), import.meta.filename],
  holdUntilReady: true,
});

function notify(notice: Notice): void {
  if (!Notification.isSupported()) return;
  const notification = new Notification({ title: notice.title, body: notice.body });
  notification.on('click', () => {
    showWindow();
    if (notice.jobId !== null) send('jobFocusRequested', { jobId: notice.jobId });
  });
  notification.show();
}

/** The browser does the talking; a failure shows in the window, where the account view explains. */
async function signInFromTray(): Promise<void> {
  try {
    await engine?.signIn();
  } catch (error) {
    showWindow();
    console.warn(
      `taskdrop: sign-in did not complete: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function createWindow(dataDir: string): BrowserWindow {
  const created = new BrowserWindow({
    ...loadWindowBounds(dataDir),
    minWidth: 420,
    minHeight: 360,
    show: false,
    title: 'taskdrop',
    webPreferences: secureWebPreferences(preloadFile),
  });
  hardenContents(created.webContents, pageUrl);
  void created.loadURL(pageUrl);
  // Closing the window keeps taskdrop in the tray; Quit is in the tray menu.
  created.on('close', (event) => {
    saveWindowBounds(dataDir, created.getBounds());
    if (!quitting) {
      event.preventDefault();
      created.hide();
    }
  });
  return created;
}

function showWindow(): void {
  if (window === undefined) return;
  window.show();
  window.focus();
}

/** A left click on the tray icon: the window appears beside it, or hides again. */
function toggleBesideTray(): void {
  if (window === undefined || tray === undefined) return;
  if (window.isVisible() && window.isFocused()) {
    window.hide();
    return;
  }
  const trayBounds = tray.getBounds();
  const { workArea } = screen.getDisplayNearestPoint({ x: trayBounds.x, y: trayBounds.y });
  const [width = 420, height = 560] = window.getSize();
  const { x, y } = positionNearTray(trayBounds, { width, height }, workArea);
  window.setPosition(x, y);
  showWindow();
}

function send<E extends keyof TaskdropEvents>(event: E, payload: TaskdropEvents[E]): void {
  window?.webContents.send(eventChannel, event, payload);
}

function toElectronMenu(
  items: readonly TrayMenuItem[],
  act: (id: string) => void,
): MenuItemConstructorOptions[] {
  return items.map((item) => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { label: item.label, submenu: toElectronMenu(item.items, act) };
      case 'checkbox':
        return {
          type: 'checkbox',
          label: item.label,
          checked: item.checked,
          click: () => act(item.id),
        };
      case 'action':
        return { label: item.label, enabled: item.enabled ?? true, click: () => act(item.id) };
    }
  });
}

async function refreshTray(): Promise<void> {
  if (engine === undefined || tray === undefined) return;
  const [summary, recentTargets, settings, accounts] = await Promise.all([
    engine.summary(),
    engine.recentTargets(),
    engine.getSettings(),
    engine.listAccounts(),
  ]);
  const state = trayStateOf(summary);
  const style = trayIconStyleFor(process.platform);
  const bitmap = drawTrayIcon(state, 32, style);
  const image = nativeImage.createFromBitmap(bitmap.pixels, {
    width: bitmap.width,
    height: bitmap.height,
    scaleFactor: 2,
  });
  image.setTemplateImage(style === 'template');
  tray.setImage(image);
  tray.setToolTip(
    trayTooltip(
      state,
      accounts.some((account) => account.kind === 'demo'),
    ),
  );
  const menu = trayMenu({
    state,
    recentTargets,
    signedIn: accounts.some((account) => account.signedIn),
    canSignIn: accounts.some((account) => account.kind === 'microsoft'),
    startAtLogin: settings.startAtLogin,
    clipboardAttachable: trayClipboard.offered,
  });
  tray.setContextMenu(
    Menu.buildFromTemplate(
      toElectronMenu(menu, (id) => {
        void onMenu(id, recentTargets);
      }),
    ),
  );
}

async function onMenu(
  id: string,
  recent: Awaited<ReturnType<Engine['recentTargets']>>,
): Promise<void> {
  if (engine === undefined) return;
  if (id === 'open') showWindow();
  else if (id === 'pause-all') await engine.pause({ all: true });
  else if (id === 'resume-all') await engine.resume({ all: true });
  else if (id === 'quit') app.quit();
  else if (id === 'sign-in') await signInFromTray();
  else if (id === 'attach-clipboard') await trayClipboard.attachTo(recent[0]);
  else if (id === 'sign-out') {
    const accounts = await engine.listAccounts();
    const signedIn = accounts.find((account) => account.kind === 'microsoft' && account.signedIn);
    if (signedIn !== undefined) await engine.signOut(signedIn.id);
  } else if (id === 'start-at-login') {
    const { startAtLogin } = await engine.getSettings();
    await engine.updateSettings({ startAtLogin: !startAtLogin });
  } else if (id.startsWith('recent:')) {
    showWindow();
    send('targetRequested', { paths: [], suggested: recent[Number(id.slice(7))] ?? null });
  }
  await refreshTray();
}

/** The one assembly with what Electron gives: safeStorage, the desktop, the folder chooser. */
function openEngine(dataDir: string, log: Logger): Promise<OpenedEngine> {
  return openAppEngine({
    dataDir,
    env: process.env,
    overrides,
    log,
    safeStorage,
    desktop: {
      showItemInFolder: (path: string) => shell.showItemInFolder(path),
      openExternal: (url: string) => shell.openExternal(url),
    },
    chooseFolder: folderChooser(dialog, () => window),
    runtimeVersions: { Electron: process.versions.electron, Chromium: process.versions.chrome },
    clipboard: trayClipboard,
    shortcut: shortcuts,
  });
}

async function start(): Promise<void> {
  for (const why of overrides.ignored) console.warn(`taskdrop: ${why}`);
  protocol.handle(appScheme, (request) => serveAppRequest(rendererDir, request));
  const dataDir = app.getPath('userData');
  // The OS's place for logs: ~/Library/Logs/taskdrop on macOS, userData/logs elsewhere.
  app.setAppLogsPath();
  log = openProcessLog(app.getPath('logs'), 'app', process.env);
  opened = await openEngine(dataDir, log);
  engine = opened.engine;
  await trayClipboard.open({
    dataDir,
    reader: electronClipboardReader(clipboard),
    queue: engine,
    log,
  });
  // A saved shortcut another app took meanwhile shows as taken in Settings.
  shortcuts.apply((await engine.getSettings()).globalShortcut);
  registerCommandHandler(ipcMain, engine, pageUrl);
  forwardEvents(engine, () => (window === undefined ? [] : [window.webContents]));
  engine.on('jobsChanged', () => void refreshTray());
  engine.on('settingsChanged', (settings) => {
    app.setLoginItemSettings({ openAtLogin: settings.startAtLogin });
    void refreshTray();
  });
  // Electron tells nothing of do-not-disturb; the OS itself holds notifications back then.
  const notices = new NotificationPlanner({ show: notify, quiet: () => false });
  notices.seed(await engine.listJobs());
  engine.on('jobsChanged', (change) => notices.jobsChanged(change));
  engine.start();
  await engine.startWatching({ trash: (path) => shell.trashItem(path) });
  window = createWindow(dataDir);
  tray = new Tray(nativeImage.createEmpty());
  tray.on('click', () => toggleBesideTray());
  // macOS: files dropped on the tray icon go to the target picker, last target preselected.
  tray.on('drop-files', (_event, paths) => launches.add(paths));
  // macOS (LSUIElement: a menu-bar app): in the Dock and the app switcher only while the window
  // is open, so it can be found and files dropped on its Dock icon. No Dock elsewhere.
  window.on('show', () => void app.dock?.show());
  window.on('hide', () => app.dock?.hide());
  await refreshTray();
  const clipboardMayBeWanted = trayClipboard.watch();
  tray.on('mouse-enter', clipboardMayBeWanted);
  tray.on('mouse-move', clipboardMayBeWanted);
  window.on('blur', clipboardMayBeWanted);
  window.once('ready-to-show', showWindow);
  // Files this first launch was started with (Open with, Send To) go the same way, with any
  // that macOS sent before the window could show them.
  window.webContents.once('did-finish-load', () => {
    launches.launched(process.argv, process.cwd());
    launches.ready();
  });
}

// Before anything reads it: the single-instance lock lives in the data folder too, so a queue of
// one's own (tests, a second queue) runs beside the usual one.
if (overrides.dataDir !== undefined) app.setPath('userData', overrides.dataDir);
protocol.registerSchemesAsPrivileged([appSchemePrivileges]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  preferSmallHeap();
  app.on('second-instance', (_event, argv, workingDirectory) => {
    if (launches.launched(argv, workingDirectory) === 0) showWindow();
  });
  // macOS: files dropped on the dock icon, or opened with taskdrop; may come before ready.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    launches.add([path]);
  });
  app.on('window-all-closed', () => {
    // A tray app keeps running with no window open.
  });
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void (async () => {
      globalShortcut.unregisterAll();
      trayClipboard.close();
      await opened?.close();
      log?.close();
      app.exit(0);
    })();
  });
  void app.whenReady().then(start).catch(cannotStart);
}

/** The queue damaged, unwritable or in use: said in a dialog, with what to do, not a crash. */
function cannotStart(error: unknown): void {
  const known = error instanceof QueueFileError || error instanceof DataDirInUseError;
  log?.error('taskdrop could not start', { error });
  dialog.showErrorBox(
    'taskdrop cannot start',
    known
      ? error.message
      : `Unexpected error: ${error instanceof Error ? error.message : String(error)}`,
  );
  app.exit(1);
}
