import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  openApp,
  startStack,
  type Stack,
  type WatchedPage,
} from '../support/browser.ts';
import { openSettings, until } from './helpers.ts';

let stack: Stack;
let browser: Browser;
let app: WatchedPage;
let page: Page;

beforeAll(async () => {
  // As the app runs on Linux without a keyring (docs/security.md §4).
  [stack, browser] = await Promise.all([
    startStack({ engine: { tokenStorage: 'obfuscated' } }),
    launchBrowser(),
  ]);
  app = await openApp(browser, stack.web.url);
  page = app.page;
  await openSettings(page);
}, 30_000);

afterAll(async () => {
  await app?.context.close();
  await browser?.close();
  await stack?.close();
});

describe('a sign-in that can only be obfuscated', () => {
  it('is said so in Settings, and saved only once the person agrees there', async () => {
    const notice = page.getByRole('note').filter({ hasText: 'No keyring is running' });
    await until(() => notice.isVisible(), 'the notice');
    expect(await notice.textContent()).toContain('So it is not saved');
    await notice.getByRole('button', { name: 'Save my sign-in without encryption' }).click();
    await until(
      async () => (await stack.engine.getSettings()).allowWeakTokenStorage,
      'the agreement saved',
    );
    const stop = notice.getByRole('button', { name: 'Stop saving my sign-in' });
    await until(() => stop.isVisible(), 'the way back');
    await stop.click();
    await until(
      async () => !(await stack.engine.getSettings()).allowWeakTokenStorage,
      'the agreement withdrawn',
    );
    expect(app.problems).toEqual([]);
  });
});
