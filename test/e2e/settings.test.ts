import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cspViolations,
  launchBrowser,
  openApp,
  screenshotsInEveryLook,
  startStack,
  type Stack,
  type WatchedPage,
} from '../support/browser.ts';
import { until } from './helpers.ts';

let stack: Stack;
let browser: Browser;
let app: WatchedPage;
let page: Page;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  app = await openApp(browser, stack.web.url);
  page = app.page;
  await page.getByRole('button', { name: 'Settings' }).click();
  await until(
    () => page.getByRole('heading', { name: 'Account and settings' }).isVisible(),
    'the settings view',
  );
}, 30_000);

afterAll(async () => {
  await app?.context.close();
  await browser?.close();
  await stack?.close();
});

afterEach(() => {
  expect(cspViolations(app.problems), 'CSP violations').toEqual([]);
  expect(app.problems, 'console errors in the page').toEqual([]);
});

const saved = (id: string) => page.locator(`#${id}`);

describe('account and settings', () => {
  it('says who is connected, that this is demo mode, and why sign-in is not offered', async () => {
    const text = (await page.locator('.settings').textContent()) ?? '';
    expect(text).toContain('Demo mode — uploads go to a built-in simulator, not Microsoft');
    expect(text).toContain('Demo account');
    expect(text).toContain('Built-in simulator');
    expect(text).toContain('Connected');
    const signOut = page.getByRole('button', { name: 'Sign out' });
    expect(await signOut.getAttribute('aria-disabled')).toBe('true');
    const why = await page
      .locator(`#${(await signOut.getAttribute('aria-describedby')) ?? 'none'}`)
      .textContent();
    expect(why).toContain('Demo mode has no Microsoft app registration');
    expect(text).toMatch(/taskdrop 0\.\d+\.\d+/);
    // The header says it too, from every view.
    expect(await page.getByRole('button', { name: 'Demo mode' }).count()).toBe(1);
  });

  it('saves each setting the moment it changes', async () => {
    await page.getByLabel('Uploads at a time').selectOption('2');
    await until(
      async () => ((await saved('error-concurrency').textContent()) ?? '').includes('Saved'),
      'Saved',
    );
    expect((await stack.engine.getSettings()).maxConcurrentUploads).toBe(2);

    const budget = page.getByLabel('Upload budget');
    await budget.fill('60');
    await budget.press('Enter');
    await until(async () => (await stack.engine.getSettings()).uploadBudgetMb === 60, 'the budget');

    await page.getByLabel('Start taskdrop when I log in').check();
    await until(
      async () => ((await saved('error-login').textContent()) ?? '').includes('Saved'),
      'Saved',
    );
    expect((await stack.engine.getSettings()).startAtLogin).toBe(true);
  });

  it('looks right (screenshots, light and dark, wide and narrow)', async () => {
    // Let the "Saved" marks fade: the view at rest.
    await page.waitForTimeout(2_600);
    const shots = await screenshotsInEveryLook(page, 'settings', async () => {
      await page.evaluate(`document.querySelector('.settings').scrollTop = 0`);
    });
    expect(shots.paths).toHaveLength(4);
    expect(shots.contrast).toEqual([]);
  });

  it('refuses a value out of bounds inline, and keeps what was saved', async () => {
    const budget = page.getByLabel('Upload budget');
    await budget.fill('500');
    await budget.press('Enter');
    await until(
      async () => ((await saved('error-budget').textContent()) ?? '').includes('from 10 to 150'),
      'the inline error',
    );
    expect(await budget.getAttribute('aria-invalid')).toBe('true');
    expect((await stack.engine.getSettings()).uploadBudgetMb).toBe(60);
  });

  it('follows changes made elsewhere (the tray menu)', async () => {
    await stack.engine.updateSettings({ maxConcurrentUploads: 4, startAtLogin: false });
    await until(
      async () => (await page.getByLabel('Uploads at a time').inputValue()) === '4',
      'the new value',
    );
    expect(await page.getByLabel('Start taskdrop when I log in').isChecked()).toBe(false);
  });
});
