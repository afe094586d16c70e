import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForValue } from '../support/wait.ts';
import type { AccountView, JobView, TaskTarget } from '../../preload/shared/contract.ts';
import { appContentSecurityPolicy, appPageUrl } from '../../main/app/app-protocol.ts';
import { sealedCachePath, plaintextCachePath } from '../../main/core/auth/token-store.ts';
import { openSimulatedBrowser } from '../../main/simulator/identity/browser.ts';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';
import { fuseProblems } from '../../scripts/package-layout.ts';
import {
  appUnderTest,
  callBridge,
  launchAgain,
  launchApp,
  nextBridgeEvent,
  mainScript,
  type AppUnderTest,
  type RunningApp,
} from '../support/electron-app.ts';

/**
 * The real shell: the built app in Electron (or, with `--packaged`, the packaged app), against
 * the simulator on loopback, in a data folder of its own. Run by `npm run test:electron` and by
 * `./run test` wherever Electron's binary is installed; skipped, in one line, where it is not.
 */
const target = appUnderTest();
if (target.kind === 'missing') {
  process.stdout.write(`taskdrop: the Electron suite is skipped: ${target.why}.\n`);
}
const packaged = target.kind === 'packaged';
const preloadScript = join(dirname(mainScript), '..', 'preload', 'preload.cjs');

/** A client id for the simulator's identity side (it takes any GUID). */
const clientId = '5a1d0c8e-3f4b-4e62-9d7a-2b8c6e4f1a03';
/** Large enough to take several chunks (of 4 MB), so the tray sees it uploading. */
const launchedSize = 9 * 1024 * 1024;

let dir: string;
let dataDir: string;
let sim: RunningSimulator;
let app: RunningApp;
let env: Record<string, string>;
let launchedFile: string;

function environment(): Record<string, string> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => {
      const [name, value] = entry;
      return (
        value !== undefined &&
        !name.startsWith('TASKDROP_') &&
        !['NODE_OPTIONS', 'ELECTRON_RUN_AS_NODE'].includes(name)
      );
    }),
  );
  // The packaged app runs in demo mode: it ignores the simulator's addresses
  // (main/app/launch-settings.ts), and without a client id it signs in to nothing else.
  if (packaged) return { ...inherited, TASKDROP_DATA_DIR: dataDir };
  return {
    ...inherited,
    TASKDROP_DATA_DIR: dataDir,
    TASKDROP_CLIENT_ID: clientId,
    TASKDROP_GRAPH_URL: sim.graphUrl,
    TASKDROP_LOGIN_SERVICE: sim.origin,
  };
}

function writeFile(name: string, size: number): string {
  const path = join(dir, name);
  writeFileSync(path, randomBytes(size));
  return path;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Every regular file under `root`, recursively. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** A file's bytes as text; empty for one Chromium holds locked (Windows). */
function readable(file: string): string {
  try {
    return readFileSync(file).toString('latin1');
  } catch {
    return '';
  }
}

/** Polls `read` until `done` holds, at most `timeoutMs`; answers the last value read. */
async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  let last: T | undefined;
  return waitForValue(
    async () => {
      last = await read();
      return done(last) ? last : undefined;
    },
    () => `the value to arrive, still ${JSON.stringify(last)}`,
    { timeoutMs, intervalMs: 100 },
  );
}

/** The main process, for the checks only Playwright's Electron support can make. */
function main(): NonNullable<RunningApp['electron']> {
  if (app.electron === null) throw new Error('no main-process access to the packaged app');
  return app.electron;
}

/**
 * Signs in as the app does, through the system browser: the test stands in for the browser
 * (shell.openExternal, in main) and walks the simulator's sign-in pages to MSAL's loopback.
 */
async function signIn(): Promise<AccountView> {
  await main().evaluate(({ shell }) => {
    const opened: string[] = [];
    (globalThis as unknown as { openedUrls: string[] }).openedUrls = opened;
    shell.openExternal = (url: string) => {
      opened.push(url);
      return Promise.resolve();
    };
  });
  const signedIn = callBridge(app.page, 'signIn');
  // Its failure is the answer, below; meanwhile it must not count as unhandled.
  signedIn.catch(() => undefined);
  const [url] = await waitFor(
    () => main().evaluate(() => (globalThis as unknown as { openedUrls: string[] }).openedUrls),
    (urls) => urls.length > 0,
    20_000,
  );
  if (url === undefined) throw new Error('the app opened no sign-in page');
  await openSimulatedBrowser(url);
  return signedIn;
}

async function newTarget(accountId: string, title: string): Promise<TaskTarget> {
  const lists = await callBridge(app.page, 'listTaskLists', accountId);
  const tasks = lists.find((list) => list.wellknownListName === 'defaultList') ?? lists[0];
  if (tasks === undefined) throw new Error('the account has no lists');
  return callBridge(app.page, 'createTask', { accountId, listId: tasks.id, title });
}

describe.skipIf(target.kind === 'missing')('the real Electron app', () => {
  beforeAll(async () => {
    if (target.kind === 'missing') return;
    sim = await startSimulator({ seed: 'demo' });
    dir = mkdtempSync(join(tmpdir(), 'taskdrop-electron-'));
    dataDir = join(dir, 'data');
    launchedFile = writeFile('launched report.pdf', 4096);
    env = environment();
    app = await launchApp(target, { args: [launchedFile], env });
    await app.page.waitForURL(appPageUrl, { timeout: 30_000 });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await sim?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  }, 60_000);

  it('loads its page from app:// under its CSP, isolated, with no Node in the page', async () => {
    const { page } = app;
    expect(page.url()).toBe(appPageUrl);
    expect(
      await page.evaluate(() => {
        const scope = globalThis as Record<string, unknown>;
        return {
          require: typeof scope['require'],
          process: typeof scope['process'],
          module: typeof scope['module'],
          bridge: typeof scope['taskdrop'],
        };
      }),
    ).toEqual({
      require: 'undefined',
      process: 'undefined',
      module: 'undefined',
      bridge: 'object',
    });
    // The CSP holds: no eval, no inline script, no connection anywhere.
    expect(
      await page.evaluate(async () => {
        const scope = globalThis as unknown as {
          eval: (code: string) => unknown;
          fetch: (url: string) => Promise<unknown>;
        };
        let evaluated = 'ran';
        try {
          scope.eval('1 + 1');
        } catch (error) {
          evaluated = error instanceof Error ? error.name : String(error);
        }
        let fetched = 'fetched';
        try {
          await scope.fetch('https://example.com/');
        } catch (error) {
          fetched = error instanceof Error ? error.name : String(error);
        }
        return { evaluated, fetched };
      }),
    ).toEqual({ evaluated: 'EvalError', fetched: 'TypeError' });
    if (packaged) return;
    // The renderer runs in Chromium's OS sandbox (which the suite turns off on Linux only).
    if (process.platform !== 'linux') {
      const sandboxed = await main().evaluate(({ app: electronApp, webContents }, url) => {
        const own = webContents.getAllWebContents().find((contents) => contents.getURL() === url);
        const pid = own?.getOSProcessId();
        return electronApp.getAppMetrics().find((metric) => metric.pid === pid)?.sandboxed;
      }, appPageUrl);
      expect(sandboxed).toBe(true);
    }
    const header = await main().evaluate(async ({ net }, url) => {
      const response = await net.fetch(url);
      return response.headers.get('content-security-policy');
    }, appPageUrl);
    expect(header).toBe(appContentSecurityPolicy);
  });

  it('answers every command group through its preload bridge', async () => {
    const { page } = app;
    const info = await callBridge(page, 'appInfo');
    expect(info).toMatchObject({ transport: 'electron', dropsCarryPaths: true, demo: packaged });
    expect(await callBridge(page, 'getSettings')).toMatchObject({ startAtLogin: false });
    expect(typeof (await callBridge(page, 'diagnostics'))).toBe('object');
    expect(await callBridge(page, 'summary')).toMatchObject({ total: expect.any(Number) });
    expect(Array.isArray(await callBridge(page, 'listJobs'))).toBe(true);
    expect(await callBridge(page, 'listWatchedFolders')).toEqual([]);
    expect(Array.isArray(await callBridge(page, 'recentTargets'))).toBe(true);
    const accounts = await callBridge(page, 'listAccounts');
    if (packaged) {
      // Demo mode: its own simulator, already signed in.
      expect(accounts).toEqual([expect.objectContaining({ kind: 'demo', signedIn: true })]);
      const [demo] = accounts;
      if (demo === undefined) return;
      expect((await callBridge(page, 'listTaskLists', demo.id)).length).toBeGreaterThan(0);
      return;
    }
    expect(accounts).toEqual([]);
    // A bad argument is refused in main, with the reason, and nothing runs.
    await expect(callBridge(page, 'listTaskLists', '' as string)).rejects.toThrow();
  });

  it.skipIf(packaged)('signs in through the browser and seals the token cache', async () => {
    const account = await signIn();
    expect(account).toMatchObject({ kind: 'microsoft', signedIn: true });
    const { accessTokens, refreshTokens } = sim.control.identity.issued();
    expect(accessTokens.length).toBeGreaterThan(0);
    expect(refreshTokens.length).toBeGreaterThan(0);
    const sealed = sealedCachePath(dataDir);
    await waitFor(
      () => Promise.resolve(existsSync(sealed)),
      (written) => written,
      10_000,
    );
    expect(existsSync(plaintextCachePath(dataDir))).toBe(false);
    // No token, in any file of the data folder (Chromium's own included): only sealed bytes.
    const secrets = [...accessTokens, ...refreshTokens];
    for (const file of filesUnder(dataDir)) {
      const text = readable(file);
      for (const secret of secrets) expect(text.includes(secret), file).toBe(false);
    }
    expect(readFileSync(sealed).toString('latin1')).not.toMatch(/RefreshToken|"secret"/);
  });

  it('offers the file it was launched with, asking which task it goes to', async () => {
    // The page's own picker (renderer/lib/state/intake.svelte.ts) for the launch's one file.
    await app.page.getByText('Attach 1 file to a task').first().waitFor({ timeout: 15_000 });
  });

  it('hands a second launch’s file to the running app, which attaches it byte for byte', async () => {
    const bigFile = writeFile('second launch.pdf', launchedSize);
    const offered = await nextBridgeEvent(app.page, 'targetRequested', 30_000);
    expect(await launchAgain(launched(), { args: [bigFile], env })).toBe(0);
    const request = await offered();
    expect(request.paths).toEqual([bigFile]);
    // Demo mode keeps its simulator inside the packaged app: nothing to compare bytes with here.
    if (packaged) return;

    const electron = main();
    // Watch the tray from here on: its tooltip and menu as the app sets them.
    await electron.evaluate(({ Tray }) => {
      const seen = { tooltips: [] as string[], menus: [] as string[][] };
      (globalThis as unknown as { traySeen: typeof seen }).traySeen = seen;
      const { setToolTip, setContextMenu } = Tray.prototype;
      Tray.prototype.setToolTip = function (this: Electron.Tray, text: string) {
        seen.tooltips.push(text);
        setToolTip.call(this, text);
      };
      Tray.prototype.setContextMenu = function (this: Electron.Tray, menu: Electron.Menu | null) {
        seen.menus.push(menu?.items.map((item) => item.label) ?? []);
        setContextMenu.call(this, menu);
      };
    });
    const [account] = await callBridge(app.page, 'listAccounts');
    if (account === undefined) throw new Error('not signed in');
    const taskTarget = await newTarget(account.id, 'From a second launch');
    // The first range waits a little, so the upload is seen in progress.
    sim.control.addFault({ operation: 'uploadContent', action: { type: 'delay', ms: 1_500 } });
    // What the picker's "Attach here" sends.
    await callBridge(app.page, 'enqueue', { paths: request.paths, target: taskTarget });
    const jobs = await waitFor(
      () => callBridge(app.page, 'listJobs'),
      (list: JobView[]) => list.some((job) => job.state === 'done' || job.state === 'failed'),
      60_000,
    );
    expect(jobs.map((job) => [job.fileName, job.state])).toEqual([['second launch.pdf', 'done']]);
    const stored = sim.control
      .attachments()
      .filter((attachment) => attachment.taskId === taskTarget.taskId);
    expect(stored.map((attachment) => [attachment.name, attachment.size])).toEqual([
      ['second launch.pdf', launchedSize],
    ]);
    expect(stored[0]?.sha256).toBe(sha256(readFileSync(bigFile)));
    const seen = await waitFor(
      () =>
        electron.evaluate(
          () =>
            (globalThis as unknown as { traySeen: { tooltips: string[]; menus: string[][] } })
              .traySeen,
        ),
      (value) => value.tooltips.at(-1) === 'taskdrop — all files attached',
      10_000,
    );
    // Before that, while the range waited: the upload in progress.
    expect(seen.tooltips.slice(0, -1)).toContainEqual(
      expect.stringMatching(/^taskdrop — uploading 1 file, \d+%$/),
    );
    expect(seen.menus.at(-1)).toEqual(expect.arrayContaining(['Open queue', 'Quit taskdrop']));
  }, 90_000);

  it.skipIf(packaged)('refuses IPC from any page but its own', async () => {
    const electron = main();
    const strangerOpened = electron.waitForEvent('window');
    // Another page, with taskdrop's own preload: its bridge is there, but main refuses it.
    await electron.evaluate(async ({ BrowserWindow }, preload) => {
      const stranger = new BrowserWindow({
        show: false,
        webPreferences: { preload, contextIsolation: true, sandbox: true },
      });
      await stranger.loadURL('data:text/html,<title>stranger</title><body></body>');
    }, preloadScript);
    const stranger = await strangerOpened;
    await stranger.waitForLoadState('domcontentloaded');
    await expect(callBridge(stranger, 'appInfo')).rejects.toThrow(/Refused/);
    // A frame gets no bridge at all: the preload runs in top frames only.
    const inFrame = await stranger.evaluate(`new Promise((resolve) => {
      const frame = document.createElement('iframe');
      frame.srcdoc = '<p>frame</p>';
      frame.onload = () => resolve(typeof frame.contentWindow.taskdrop);
      document.body.append(frame);
    })`);
    expect(inFrame).toBe('undefined');
    await stranger.close();
  });

  it('refuses navigation away and new windows', async () => {
    const { page } = app;
    await page.evaluate(() => {
      (globalThis as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { open: (url: string) => unknown }).open(
            'https://example.com/',
          ) === null,
      ),
    ).toBe(true);
    if (app.electron !== null) {
      // Listening in main first, so the attempt cannot come before the listener.
      await app.electron.evaluate(({ webContents }, url) => {
        const own = webContents.getAllWebContents().find((contents) => contents.getURL() === url);
        (globalThis as unknown as { navigation: Promise<string> }).navigation = new Promise(
          (resolve) => {
            own?.once('will-navigate', (_event, to) => setImmediate(() => resolve(to)));
          },
        );
      }, appPageUrl);
      await page.evaluate(() => {
        (globalThis as unknown as { location: { href: string } }).location.href =
          'https://example.com/';
      });
      const attempted = await app.electron.evaluate(
        () => (globalThis as unknown as { navigation: Promise<string> }).navigation,
      );
      expect(attempted).toBe('https://example.com/');
    } else {
      await page.evaluate(() => {
        (globalThis as unknown as { location: { href: string } }).location.href =
          'https://example.com/';
      });
      await expect(page.waitForURL('https://example.com/', { timeout: 2_000 })).rejects.toThrow();
    }
    expect(page.url()).toBe(appPageUrl);
    expect(
      await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument),
    ).toBe(true);
  });

  it.skipIf(packaged)(
    'pastes an image from the real clipboard as a screenshot, attached whole',
    async () => {
      const electron = main();
      const png = await electron.evaluate(async ({ clipboard, ClipboardItem, nativeImage }) => {
        const image = nativeImage.createFromBuffer(
          Buffer.from(
            'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVQI12P8z8DwnwEIGBkYGP7/BwAd8QP9dXxRwAAAAABJRU5ErkJggg==',
            'base64',
          ),
        );
        await clipboard.write([new ClipboardItem({ 'image/png': new Blob([image.toPNG()]) })]);
        // What the OS gives back (it may encode the bitmap anew): what must arrive.
        for (const item of await clipboard.read()) {
          if (item.types.includes('image/png')) {
            const blob = await item.getType('image/png');
            return Buffer.from(await blob.arrayBuffer()).toString('base64');
          }
        }
        return '';
      });
      const pasted = await callBridge(app.page, 'readClipboard');
      if (pasted.kind !== 'image') throw new Error(`not an image: ${JSON.stringify(pasted)}`);
      expect(pasted.name).toMatch(/^Screenshot .*\.png$/);
      const [account] = await callBridge(app.page, 'listAccounts');
      if (account === undefined) throw new Error('not signed in');
      const taskTarget = await newTarget(account.id, 'Pasted from the clipboard');
      const { accepted } = await callBridge(app.page, 'enqueuePasted', {
        pasteId: pasted.pasteId,
        target: taskTarget,
      });
      expect(accepted.map((job) => job.sourcePath)).toEqual([
        expect.stringContaining(join(dataDir, 'staged')),
      ]);
      await waitFor(
        () => callBridge(app.page, 'listJobs'),
        (list: JobView[]) =>
          list.some((job) => job.fileName === pasted.name && job.state === 'done'),
        60_000,
      );
      const [stored] = sim.control
        .attachments()
        .filter((attachment) => attachment.taskId === taskTarget.taskId);
      expect(stored?.sha256).toBe(sha256(Buffer.from(png, 'base64')));
      // The staged copy goes with its job.
      await waitFor(
        () => Promise.resolve(readdirSync(join(dataDir, 'staged')).length),
        (count) => count === 0,
        10_000,
      );
    },
    90_000,
  );

  it('reads files copied in a file manager from the OS clipboard, as their paths', async () => {
    const copied = writeFile('copied in the file manager.pdf', 2048);
    const url = pathToFileURL(copied).href;
    const formats: Record<string, [string, string]> = {
      linux: ['x-special/gnome-copied-files', `copy\n${url}`],
      darwin: ['public.file-url', url],
      win32: ['FileNameW', `${copied}\0`],
    };
    const [format, content] = formats[process.platform] ?? formats['linux']!;
    await main().evaluate(
      async ({ clipboard, ClipboardItem }, [name, text, wide]) => {
        const bytes = Buffer.from(text, wide ? 'utf16le' : 'utf8');
        await clipboard.write([
          new ClipboardItem({
            [`electron application/osclipboard;format="${name}"`]: new Blob([bytes]),
          }),
        ]);
      },
      [format, content, format === 'FileNameW'] as const,
    );
    expect(await callBridge(app.page, 'readClipboard')).toEqual({ kind: 'files', paths: [copied] });
    // Text that is only a path is taken as that file too.
    await main().evaluate(({ clipboard }, path) => clipboard.writeText(path), copied);
    expect(await callBridge(app.page, 'readClipboard')).toEqual({ kind: 'files', paths: [copied] });
    // Ctrl/⌘+V in the window: the page asks main, which read the OS clipboard, then the picker.
    const { page } = app;
    while ((await page.locator('dialog[open]').count()) > 0) await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('ControlOrMeta+V');
    const picker = page.locator('dialog.picker[open]');
    await picker.waitFor({ timeout: 15_000 });
    expect(await picker.getByRole('heading').textContent()).toBe('Attach 1 file to a task');
    await page.keyboard.press('Escape');
    await main().evaluate(({ clipboard }) => clipboard.writeText('just words'));
    expect(await callBridge(app.page, 'readClipboard')).toMatchObject({ kind: 'nothing' });
  });

  it.skipIf(packaged)(
    'claims the global shortcut, and says so when it is held elsewhere',
    async () => {
      const electron = main();
      // Held by "another app": this process, outside the registrar, so the OS refuses it again.
      await electron.evaluate(({ globalShortcut }) =>
        globalShortcut.register('Control+Alt+Shift+F8', () => undefined),
      );
      await expect(
        callBridge(app.page, 'updateSettings', { globalShortcut: 'Control+Alt+Shift+F8' }),
      ).rejects.toThrow('is already used by another app or by the system');
      expect((await callBridge(app.page, 'getSettings')).globalShortcut).toBeNull();
      await callBridge(app.page, 'updateSettings', { globalShortcut: 'Control+Alt+Shift+F9' });
      expect(await callBridge(app.page, 'shortcutStatus')).toEqual({
        state: 'active',
        accelerator: 'Control+Alt+Shift+F9',
      });
      expect(
        await electron.evaluate(({ globalShortcut }) =>
          globalShortcut.isRegistered('Control+Alt+Shift+F9'),
        ),
      ).toBe(true);
      await callBridge(app.page, 'updateSettings', { globalShortcut: null });
      expect(
        await electron.evaluate(({ globalShortcut }) =>
          globalShortcut.isRegistered('Control+Alt+Shift+F9'),
        ),
      ).toBe(false);
      await electron.evaluate(({ globalShortcut }) =>
        globalShortcut.unregister('Control+Alt+Shift+F8'),
      );
    },
  );

  it.runIf(packaged)('is hardened: fuses flipped, and it will not run as Node', async () => {
    if (target.kind !== 'packaged') return;
    expect(await fuseProblems(target.executable)).toEqual([]);
    // With RunAsNode off, ELECTRON_RUN_AS_NODE starts the app (which, as a second instance,
    // hands its arguments over and quits), not a Node that runs the script.
    const script = join(dir, 'as-node.js');
    writeFileSync(script, `require('fs').writeFileSync(${JSON.stringify(join(dir, 'ran'))}, '')`);
    // Spawned as is: any flag before the script would stop a Node, and prove nothing.
    spawnSync(target.executable, [script], {
      env: { ...env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: 'ignore',
      timeout: 30_000,
    });
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});

/** The app under test, for the tests that run only when there is one. */
function launched(): Exclude<AppUnderTest, { kind: 'missing' }> {
  if (target.kind === 'missing') throw new Error(`no app to test: ${target.why}`);
  return target;
}
