import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityProblems,
  cspViolations,
  launchBrowser,
  openApp,
  screenshot,
  startStack,
  type Stack,
} from '../support/browser.ts';
import { until } from './helpers.ts';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('when taskdrop cannot be reached', () => {
  it('says the address is out of date when taskdrop answers but refuses its key', async () => {
    const wrong = stack.web.url.replace(/secret=.*/, 'secret=not-this-one');
    const app = await openApp(browser, wrong);
    const started = Date.now();
    await until(
      () => app.page.getByRole('heading', { name: 'This address is out of date' }).isVisible(),
      'the wrong-key screen',
    ).catch(async (error: unknown) => {
      // Say what the page showed instead, and what it logged.
      throw new Error(
        `${String(error)}; now: ${await app.page.locator('body').textContent()}; ${app.problems.join('; ')}`,
      );
    });
    console.info(`wrong-key screen after ${Date.now() - started} ms`);
    // Not "taskdrop is not answering": it is.
    expect(await app.page.getByText('not answering').count()).toBe(0);
    expect(await app.page.getByRole('button', { name: 'Try again' }).count()).toBe(1);
    await screenshot(app.page, 'wrong-key-light');
    expect(await accessibilityProblems(app.page)).toEqual([]);
    // The refused socket is the only complaint.
    expect(cspViolations(app.problems)).toEqual([]);
    expect(app.problems.filter((problem) => !problem.includes('WebSocket'))).toEqual([]);
    await app.context.close();
  });

  it('shows a banner, and no stale controls, when taskdrop stops', async () => {
    const app = await openApp(browser, stack.web.url);
    await until(
      () => app.page.getByText('Drop files anywhere in this window').isVisible(),
      'the queue',
    );
    await app.page.waitForLoadState('networkidle');
    await stack.close();
    const banner = app.page.getByRole('alert').filter({ hasText: 'Disconnected' });
    await until(async () => (await banner.count()) === 1, 'the banner');
    expect(await banner.textContent()).toContain('Disconnected — taskdrop stopped.');
    // The rest of the window is inert: nothing to click that could not work.
    expect(await app.page.locator('main[inert]').count()).toBe(1);
    await screenshot(app.page, 'disconnected-light');
    expect(await accessibilityProblems(app.page)).toEqual([]);
    expect(cspViolations(app.problems)).toEqual([]);
    expect(app.problems).toEqual([]);
    await app.context.close();
  });
});
