import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  _electron,
  chromium,
  type Browser,
  type ElectronApplication,
  type Page,
} from 'playwright-core';
import type { TaskdropCommands, TaskdropEvents } from '../../preload/shared/contract.ts';
import { electronBinary } from '../../scripts/electron-binary.ts';
import { packagedBinaries } from '../../scripts/package-layout.ts';

/**
 * The real app under Playwright, for test/electron: the built bundle (dist/app/main.js, from the
 * test run's global setup) in the Electron binary `npm install` downloads, or, with
 * `npm run test:electron -- --packaged`, the packaged app itself (scripts/test-electron.ts sets
 * TASKDROP_E2E_PACKAGED).
 */
export const mainScript = fileURLToPath(new URL('../../dist/app/main.js', import.meta.url));
const outputDir = fileURLToPath(new URL('../../out/dist', import.meta.url));

export const packagedVariable = 'TASKDROP_E2E_PACKAGED';

/** The executable inside what electron-builder made (a macOS .app is a folder). */
function executableOf(path: string): string {
  return path.endsWith('.app') ? join(path, 'Contents', 'MacOS', 'taskdrop') : path;
}

export type AppUnderTest =
  | { kind: 'unpackaged'; electron: string }
  | { kind: 'packaged'; executable: string }
  | { kind: 'missing'; why: string };

export function appUnderTest(env: NodeJS.ProcessEnv = process.env): AppUnderTest {
  const packaged = env[packagedVariable]?.trim();
  if (packaged !== undefined && packaged !== '') {
    const built = packaged === 'out/dist' ? packagedBinaries(outputDir)[0] : packaged;
    return built === undefined
      ? { kind: 'missing', why: 'no packaged app in out/dist (run `npm run dist` first)' }
      : { kind: 'packaged', executable: executableOf(built) };
  }
  const electron = electronBinary();
  return electron === null
    ? { kind: 'missing', why: "Electron's binary is not installed here (npm install downloads it)" }
    : { kind: 'unpackaged', electron };
}

/**
 * Chromium's sandbox needs a setuid helper on Linux that only an installed deb has (and many CI
 * kernels refuse unprivileged namespaces); elsewhere the suite keeps it on.
 */
const sandboxArgs = process.platform === 'linux' ? ['--no-sandbox'] : [];

export interface RunningApp {
  page: Page;
  /** The main process, through Playwright; null for the packaged app (its inspect fuse is off). */
  electron: ElectronApplication | null;
  close(): Promise<void>;
}

/** Starts the app with `args` (files, as a file manager would pass them) and `env`. */
export async function launchApp(
  app: Exclude<AppUnderTest, { kind: 'missing' }>,
  options: { args: string[]; env: Record<string, string> },
): Promise<RunningApp> {
  if (app.kind === 'unpackaged') {
    const electron = await _electron.launch({
      args: [mainScript, ...options.args],
      env: options.env,
      chromiumSandbox: process.platform !== 'linux',
      timeout: 60_000,
    });
    const page = await electron.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    return { page, electron, close: () => electron.close() };
  }
  return launchPackaged(app.executable, options);
}

/**
 * The packaged app cannot be started by Playwright's Electron support (that needs --inspect,
 * which its fuse refuses), so it is started as a person would, with Chromium's own DevTools port,
 * and its page is driven over CDP.
 */
async function launchPackaged(
  executable: string,
  options: { args: string[]; env: Record<string, string> },
): Promise<RunningApp> {
  const child = spawn(executable, [...sandboxArgs, '--remote-debugging-port=0', ...options.args], {
    env: options.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let browser: Browser | undefined;
  try {
    const endpoint = await lineOf(child, /DevTools listening on (ws:\/\/\S+)/, 60_000);
    browser = await chromium.connectOverCDP(endpoint);
    const context = browser.contexts()[0] ?? (await browser.newContext());
    const page = context.pages()[0] ?? (await context.waitForEvent('page', { timeout: 60_000 }));
    await page.waitForLoadState('domcontentloaded');
    const connected = browser;
    return {
      page,
      electron: null,
      close: async () => {
        await connected.close();
        child.kill();
        await exited;
      },
    };
  } catch (error) {
    await browser?.close();
    child.kill();
    await exited;
    throw error;
  }
}

/** The first match of `pattern` in the child's stderr, within `timeoutMs`. */
function lineOf(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      reject(new Error(`the app did not say ${String(pattern)} in time:\n${seen}`));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited (${String(code)}) before it was ready:\n${seen}`));
    });
  });
}

/**
 * A second launch with files, as Explorer's "Open with" or a file manager makes it: it hands
 * them to the running app and quits. Resolves with its exit code.
 */
export function launchAgain(
  app: Exclude<AppUnderTest, { kind: 'missing' }>,
  options: { args: string[]; env: Record<string, string> },
): Promise<number | null> {
  const [command, args] =
    app.kind === 'unpackaged'
      ? [app.electron, [...sandboxArgs, mainScript, ...options.args]]
      : [app.executable, [...sandboxArgs, ...options.args]];
  const child = spawn(command, args, { env: options.env, stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('the second launch did not quit'));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

type Command = keyof TaskdropCommands;
type Bridge = Record<string, ((...args: unknown[]) => Promise<unknown>) | undefined>;

/** A command through the page's bridge (preload/preload.ts), as the renderer calls it. */
export function callBridge<K extends Command>(
  page: Page,
  name: K,
  ...args: Parameters<TaskdropCommands[K]>
): Promise<Awaited<ReturnType<TaskdropCommands[K]>>> {
  return page.evaluate(
    async ([command, commandArgs]) => {
      const bridge = (globalThis as unknown as { taskdrop: Bridge }).taskdrop;
      const call = bridge[command];
      if (call === undefined) throw new Error(`the bridge has no ${command}`);
      return call(...commandArgs);
    },
    [name, args as unknown[]] as const,
  ) as Promise<Awaited<ReturnType<TaskdropCommands[K]>>>;
}

/** The next `event` the page's bridge hears, within `timeoutMs`; listening before it resolves. */
export async function nextBridgeEvent<E extends keyof TaskdropEvents>(
  page: Page,
  event: E,
  timeoutMs: number,
): Promise<() => Promise<TaskdropEvents[E]>> {
  const key = `__next_${event}_${Date.now()}`;
  await page.evaluate(
    ([name, slot]) => {
      const scope = globalThis as unknown as Record<string, unknown> & {
        taskdrop: { on(event: string, listener: (payload: unknown) => void): () => void };
      };
      scope[slot] = new Promise((resolve) => {
        const stop = scope.taskdrop.on(name, (payload) => {
          stop();
          resolve(payload);
        });
      });
    },
    [event, key] as const,
  );
  return () =>
    page.evaluate(
      ([slot, ms]) =>
        Promise.race([
          (globalThis as unknown as Record<string, Promise<unknown>>)[slot],
          new Promise((_resolve, reject) =>
            setTimeout(() => reject(new Error(`no ${slot} within ${ms} ms`)), ms),
          ),
        ]),
      [key, timeoutMs] as const,
    ) as Promise<TaskdropEvents[E]>;
}
