import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { JobState } from '../../preload/shared/contract.ts';
import {
  cspViolations,
  launchBrowser,
  openApp,
  startStack,
  type Stack,
  type StackOptions,
  type WatchedPage,
} from '../support/browser.ts';
import { waitUntil as until } from '../support/wait.ts';

/** Waits (bounded) for `check` to hold in the page or the engine: test/support/wait.ts. */
export { until };

export interface AppUnderTest {
  readonly stack: Stack;
  readonly browser: Browser;
  readonly app: WatchedPage;
  readonly page: Page;
}

/**
 * One test file's engine, simulator, browser and page: started before its tests, closed after
 * them, and after each test the page must have logged no CSP refusal and no error. Read the
 * fields inside tests and hooks (registered after this call), once they are started.
 */
export function appPerFile(options: StackOptions = {}): AppUnderTest {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  let app: WatchedPage | undefined;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(options), launchBrowser()]);
    app = await openApp(browser, stack.web.url);
  }, 30_000);
  afterAll(async () => {
    await app?.context.close();
    await browser?.close();
    await stack?.close();
  });
  afterEach(() => {
    expect(cspViolations(started(app).problems), 'CSP violations').toEqual([]);
    expect(started(app).problems, 'console errors in the page').toEqual([]);
  });
  return {
    get stack() {
      return started(stack);
    },
    get browser() {
      return started(browser);
    },
    get app() {
      return started(app);
    },
    get page() {
      return started(app).page;
    },
  };
}

function started<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the app is not started yet: read it inside a test');
  return value;
}

/** Opens the Settings view and waits for it. */
export async function openSettings(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click();
  await until(
    () => page.getByRole('heading', { name: 'Account and settings' }).isVisible(),
    'the settings view',
  );
}

/** The queue row of a file, by its name. */
export function row(page: Page, fileName: string): Locator {
  return page.locator('[data-job-id]').filter({
    has: page.locator('.name', { hasText: new RegExp(`^${escape(fileName)}$`) }),
  });
}

export async function stateOf(page: Page, fileName: string): Promise<string | null> {
  const found = row(page, fileName);
  if ((await found.count()) === 0) return null;
  return found.first().getAttribute('data-state');
}

/** Waits until every named row shows one of `states`. */
export async function rowsReach(
  page: Page,
  fileNames: readonly string[],
  states: readonly JobState[],
  timeoutMs = 20_000,
): Promise<void> {
  await until(
    async () => {
      for (const name of fileNames) {
        const state = await stateOf(page, name);
        if (state === null || !(states as readonly string[]).includes(state)) return false;
      }
      return true;
    },
    `${fileNames.join(', ')} to be ${states.join(' or ')}`,
    timeoutMs,
  );
}

/** Slows every range down by `ms`, to act mid-upload; returns how to stop (the fault's id). */
export function slowRanges(stack: Stack, ms: number): string {
  return stack.sim.control.addFault({
    operation: 'uploadContent',
    times: 0,
    action: { type: 'delay', ms },
  }).id;
}

/** The open task picker (a modal dialog). */
export function picker(page: Page): Locator {
  return page.locator('dialog.picker[open]');
}

export async function pickerIsOpen(page: Page): Promise<boolean> {
  return (await picker(page).count()) === 1;
}

/** The highlighted row of the picker's results. */
export function highlighted(page: Page): Locator {
  return picker(page).locator('#picker-options [role="option"][aria-selected="true"]');
}

/** Waits until the picker shows the answer to what was typed (not an older search). */
export async function pickerSettled(page: Page): Promise<void> {
  await until(
    async () => (await picker(page).locator('#picker-options[aria-busy="false"]').count()) === 1,
    'the picker to show its answer',
  );
}

/** Types into the picker's search, waits for `option` among the results, and presses Enter. */
export async function searchAndChoose(page: Page, text: string, option: string): Promise<void> {
  await until(() => pickerIsOpen(page), 'the task picker to open');
  await page.keyboard.type(text);
  await pickerSettled(page);
  await until(
    async () => (await highlighted(page).filter({ hasText: option }).count()) > 0,
    `"${option}" to be highlighted in the picker`,
  );
  await page.keyboard.press('Enter');
  await until(async () => !(await pickerIsOpen(page)), 'the task picker to close');
}

/** The accessible name of the focused element, as far as its label attributes tell. */
export function focusedLabel(page: Page): Promise<string> {
  return page.evaluate<string>(
    `(() => { const e = document.activeElement; return e === null ? '' : (e.getAttribute('aria-label') ?? e.textContent ?? '').trim(); })()`,
  );
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
