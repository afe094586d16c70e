import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RotatingLogFile } from '../../main/core/logging/log-file.ts';
import { createLogger, type Logger } from '../../main/core/logging/logger.ts';
import packageJson from '../../package.json' with { type: 'json' };
import {
  cspViolations,
  launchBrowser,
  openApp,
  screenshotsInEveryLook,
  startStack,
  type Stack,
  type WatchedPage,
} from '../support/browser.ts';
import { openSettings, until } from './helpers.ts';

let stack: Stack;
let browser: Browser;
let app: WatchedPage;
let page: Page;
const logDir = mkdtempSync(join(tmpdir(), 'taskdrop-e2e-logs-'));
let log: Logger;

beforeAll(async () => {
  log = createLogger({ sink: new RotatingLogFile({ dir: logDir }) });
  [stack, browser] = await Promise.all([startStack({ engine: { log } }), launchBrowser()]);
  app = await openApp(browser, stack.web.url);
  page = app.page;
  await openSettings(page);
}, 30_000);

afterAll(async () => {
  await app?.context.close();
  await browser?.close();
  await stack?.close();
  log?.close();
  rmSync(logDir, { recursive: true, force: true });
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
    expect(shots.accessibility).toEqual([]);
    expect(shots.baseline).toEqual([]);
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

describe('about and Copy diagnostics', () => {
  const about = () => page.locator('section[aria-labelledby="about-title"]');
  const copyButton = () => page.getByRole('button', { name: 'Copy diagnostics' });

  it('shows the version, demo mode and where the log is', async () => {
    const text = (await about().textContent()) ?? '';
    expect(text).toContain(`taskdrop ${packageJson.version}`);
    expect(text).toContain('in demo mode');
    expect(text).toContain(join(logDir, 'taskdrop.log'));
  });

  it('copies versions, settings and the last errors to the clipboard, and says so', async () => {
    // A failure for the report to show: Microsoft refuses the next attachment.
    stack.sim.control.addFault({
      operation: 'createAttachment',
      action: { type: 'status', status: 403, code: 'ErrorAccessDenied' },
    });
    const { accepted } = await stack.engine.enqueue({
      paths: [stack.file('refused.pdf', 2_000)],
      target: await stack.task('Receipts 2026'),
    });
    await until(
      async () => (await stack.engine.listJobs()).some((job) => job.state === 'failed'),
      'the upload to fail',
    );
    expect(accepted).toHaveLength(1);
    await app.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(stack.web.url).origin,
    });

    await copyButton().focus();
    await page.keyboard.press('Enter');
    const status = about().getByRole('status');
    await until(
      async () => ((await status.textContent()) ?? '').includes('Copied'),
      'the confirmation',
    );
    const copied = await page.evaluate<string>('navigator.clipboard.readText()');
    expect(copied).toContain('taskdrop diagnostics');
    expect(copied).toMatch(new RegExp(`taskdrop: +${packageJson.version.replaceAll('.', '\\.')}`));
    expect(copied).toMatch(/maxConcurrentUploads: +4/);
    expect(copied).toContain('demo account D***: signed in');
    expect(copied).toMatch(
      /ERROR upload failed .*"graphCode":"ErrorAccessDenied","requestId":"[\w-]+"/,
    );
    expect(copied).toContain(join(logDir, 'taskdrop.log'));
    expect(copied).not.toMatch(/simtok\./);
  });

  it('offers the text to copy by hand where the clipboard is refused', async () => {
    await page.evaluate(
      `navigator.clipboard.writeText = () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'))`,
    );
    await copyButton().click();
    const area = page.getByLabel(/Diagnostics \(press (Ctrl\+C|⌘C) to copy\)/);
    await until(() => area.isVisible(), 'the text to copy by hand');
    expect(await about().getByRole('status').textContent()).toContain(
      'select the text below and copy it',
    );
    expect(await area.inputValue()).toContain(`taskdrop: ${packageJson.version}`);
    // Focused and selected: one keystroke copies it.
    expect(
      await page.evaluate<boolean>(
        `(() => { const a = document.activeElement; return a?.id === 'diagnostics-text' && a.selectionStart === 0 && a.selectionEnd === a.value.length; })()`,
      ),
    ).toBe(true);

    const shots = await screenshotsInEveryLook(page, 'settings-about', async () => {
      await page.evaluate(`document.querySelector('.settings').scrollTop = 1e6`);
    });
    expect(shots.paths).toHaveLength(4);
    expect(shots.accessibility).toEqual([]);
    expect(shots.baseline).toEqual([]);
  });
});
