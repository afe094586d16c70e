import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForValue } from '../support/wait.ts';
import { appContentSecurityPolicy } from '../../main/app/app-protocol.ts';
import { secureWebPreferences } from '../../main/app/window-security.ts';

/**
 * The built bundle (dist/app/main.js, from the test run's global setup) booted under Node, its
 * `electron` import answered by a recording stand-in (test/support/electron-stand-in): every
 * module resolves, and the app does at start what it must, in the order Electron requires.
 * Catches bundling and import mistakes where Electron's binary cannot run.
 */
const distDir = fileURLToPath(new URL('../../dist', import.meta.url));
// As a URL: `--import` takes a specifier, and a Windows path would read as one with a scheme.
const register = new URL('../support/electron-stand-in/register.ts', import.meta.url).href;

interface Call {
  call: string;
  args: unknown[];
}

let dir: string;
let calls: Call[] = [];
let launchedFile: string;
let stderr = '';

function readCalls(file: string): Call[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Call);
}

/** Boots the bundle with a file on its command line; resolves once its page has asked it. */
async function boot(): Promise<Call[]> {
  const recordFile = join(dir, 'calls.jsonl');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TASKDROP_DATA_DIR: join(dir, 'data'),
    TASKDROP_STAND_IN_RECORD: recordFile,
  };
  // Demo mode: no sign-in of the machine's own reaches the boot.
  delete env['TASKDROP_CLIENT_ID'];
  const child = spawn(
    process.execPath,
    ['--import', register, join(distDir, 'app', 'main.js'), launchedFile],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    let exitCode: number | null | undefined;
    void exited.then((code) => (exitCode = code));
    return await waitForValue(
      () => {
        const recorded = readCalls(recordFile);
        if (recorded.some((entry) => entry.call === 'page.ipc')) return recorded;
        if (exitCode !== undefined) {
          throw new Error(`the app exited (${String(exitCode)}): ${stderr}`);
        }
        return undefined;
      },
      () => `the app's page to ask it something: ${stderr}`,
      { timeoutMs: 15_000, intervalMs: 50 },
    );
  } finally {
    child.kill();
    await exited;
  }
}

const index = (name: string): number => calls.findIndex((entry) => entry.call === name);
const argsOf = (name: string): unknown[][] =>
  calls.filter((entry) => entry.call === name).map((entry) => entry.args);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-boot-'));
  launchedFile = join(dir, 'report.pdf');
  writeFileSync(launchedFile, 'a file opened with taskdrop');
  calls = await boot();
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the built app, booted under Node with a stand-in for Electron', () => {
  it('sets up its data folder and its scheme before Electron is ready', () => {
    expect(argsOf('app.setPath')).toEqual([['userData', join(dir, 'data')]]);
    expect(index('app.setPath')).toBeLessThan(index('app.requestSingleInstanceLock'));
    expect(argsOf('protocol.registerSchemesAsPrivileged')).toEqual([
      [[{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]],
    ]);
    expect(index('protocol.registerSchemesAsPrivileged')).toBeLessThan(index('app.whenReady'));
    expect(argsOf('app.on').map(([event]) => event)).toEqual(
      expect.arrayContaining(['second-instance', 'open-file', 'before-quit']),
    );
  });

  it('creates its window hardened, and loads its page from app://', () => {
    const [[options]] = argsOf('new BrowserWindow') as [[Record<string, unknown>]];
    expect(options).toMatchObject({ show: false, title: 'taskdrop' });
    expect(options['webPreferences']).toEqual(
      secureWebPreferences(join(distDir, 'preload', 'preload.cjs')),
    );
    expect(existsSync(join(distDir, 'preload', 'preload.cjs'))).toBe(true);
    expect(argsOf('webContents.on').map(([event]) => event)).toEqual(
      expect.arrayContaining(['will-navigate', 'will-redirect']),
    );
    expect(argsOf('webContents.setWindowOpenHandler')).toEqual([[{ action: 'deny' }]]);
    expect(argsOf('window.loadURL')).toEqual([['app://taskdrop/index.html']]);
    expect(index('protocol.handle')).toBeLessThan(index('window.loadURL'));
    expect(argsOf('page.response')).toEqual([
      [{ status: 200, type: 'text/html; charset=utf-8', csp: appContentSecurityPolicy }],
    ]);
  });

  it('answers its own page over IPC, and refuses another', () => {
    expect(argsOf('ipcMain.handle')).toEqual([['taskdrop:command']]);
    const [[{ asPage, asStranger }]] = argsOf('page.ipc') as [
      [{ asPage: { ok: boolean; value: unknown }; asStranger: { ok: boolean } }],
    ];
    expect(asPage).toMatchObject({ ok: true, value: { transport: 'electron', demo: true } });
    expect(asStranger.ok).toBe(false);
  });

  it('puts its tray up with its menu, and offers the launched file, not its own script', () => {
    expect(index('new Tray')).toBeGreaterThan(-1);
    const [[menu]] = argsOf('tray.setContextMenu') as [[{ items: string[] }]];
    expect(menu.items).toEqual(
      expect.arrayContaining([
        'Open queue',
        'Attach clipboard (no task used yet)',
        'Quit taskdrop',
      ]),
    );
    // The tray looks at the clipboard for its "Attach clipboard" item where the OS says when
    // it may be wanted; Linux does not, so there it keeps the item offered and reads nothing.
    expect(argsOf('clipboard.has')).toEqual(
      process.platform === 'linux' ? [] : expect.arrayContaining([['image/png']]),
    );
    // No shortcut until one is set.
    expect(argsOf('globalShortcut.register')).toEqual([]);
    expect(argsOf('tray.setToolTip')[0]?.[0]).toMatch(/^taskdrop/);
    const offered = argsOf('webContents.send').filter(([, event]) => event === 'targetRequested');
    expect(offered).toEqual([
      ['taskdrop:event', 'targetRequested', expect.objectContaining({ paths: [launchedFile] })],
    ]);
  });
});
