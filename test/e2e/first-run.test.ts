import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  IssuingTokenProvider,
  SignInRequiredError,
  type TokenProvider,
} from '../../main/core/auth/token-provider.ts';
import { SignInFailedError } from '../../main/core/auth/msal-errors.ts';
import { payload, screenshotsInEveryLook, type Stack } from '../support/browser.ts';
import {
  appPerFile,
  highlighted,
  picker,
  pickerIsOpen,
  rowsReach,
  searchAndChoose,
  until,
} from './helpers.ts';

/**
 * No account yet, as on a first run with an app registration: signing in is offered (this one
 * is cancelled in the browser) and so is demo mode, the simulator's own mailbox.
 */
let demoStack: Stack | undefined;
/** The demo account's sign-in, gone while this is true. */
let revoked = false;

function revocable(issue: () => string): TokenProvider {
  const tokens = new IssuingTokenProvider(issue);
  return {
    getAccessToken: (accountId, options) =>
      revoked
        ? Promise.reject(new SignInRequiredError(accountId, 'The demo sign-in was revoked.'))
        : tokens.getAccessToken(accountId, options),
  };
}

const running = appPerFile({
  engine: {
    accounts: [],
    signIn: {
      signIn: () => Promise.reject(new SignInFailedError('cancelled', 'Sign-in was cancelled.')),
      signOut: () => Promise.resolve(),
    },
    demo: () => {
      const sim = demoStack?.sim;
      if (sim === undefined) return Promise.reject(new Error('the stack is not started'));
      return Promise.resolve({
        account: { id: 'sim', graphUrl: sim.graphUrl, label: 'Demo account', kind: 'demo' },
        tokens: revocable(() => sim.control.issueToken().accessToken),
      });
    },
  },
});
let page: Page;

beforeAll(() => {
  ({ page } = running);
  demoStack = running.stack;
});

const welcome = (): ReturnType<Page['getByRole']> =>
  page.getByRole('heading', { name: 'Connect Microsoft To Do to start' });

describe('the first run, with no account yet', () => {
  it('leads to signing in or demo mode, and looks right (light and dark, wide and narrow)', async () => {
    await until(() => welcome().isVisible(), 'the first-run welcome');
    await expect(
      page.getByRole('button', { name: 'Sign in with Microsoft…' }).isVisible(),
    ).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Try demo mode' }).isVisible()).resolves.toBe(
      true,
    );
    const shots = await screenshotsInEveryLook(page, 'first-run');
    expect(shots.accessibility).toEqual([]);
    expect(shots.baseline).toEqual([]);

    // Settings leads the same way.
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const account = page.getByRole('region', { name: 'Account' });
    await until(
      () => account.getByRole('button', { name: 'Try demo mode' }).isVisible(),
      'Settings',
    );
    const settings = await screenshotsInEveryLook(page, 'settings-first-run');
    expect(settings.accessibility).toEqual([]);
    expect(settings.baseline).toEqual([]);
    await page.getByRole('button', { name: 'Queue', exact: true }).click();
  });

  it("shows why a sign-in did not complete, in the sign-in code's words", async () => {
    await page.getByRole('button', { name: 'Sign in with Microsoft…' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Sign-in was cancelled.' });
    await until(() => alert.isVisible(), 'the reason the sign-in failed');
    expect(await page.getByText('Something went wrong inside taskdrop').count()).toBe(0);
  });

  it('keeps files dropped before signing in, and asks where they go once demo mode is on', async () => {
    await page.locator('#add-files-input').setInputFiles([payload('Early scan.pdf', 20_000)]);
    await until(
      () => page.getByText('1 file waits for you here.').isVisible(),
      'the waiting file to be mentioned',
    );
    expect(await pickerIsOpen(page)).toBe(false);

    await page.getByRole('button', { name: 'Try demo mode' }).click();
    await until(() => pickerIsOpen(page), 'the picker for the waiting file');
    expect(await picker(page).getByRole('heading').textContent()).toBe('Attach 1 file to a task');
    // First use: nothing is preselected, so Enter alone attaches nowhere.
    await until(
      async () => (await picker(page).getByRole('option').count()) > 0,
      'the tasks of the demo account',
    );
    expect(await highlighted(page).count()).toBe(0);
    await page.keyboard.press('Enter');
    expect(await pickerIsOpen(page)).toBe(true);

    await searchAndChoose(page, 'berlin', 'Train tickets Berlin trip');
    await rowsReach(page, ['Early scan.pdf'], ['done']);
    expect(await welcome().count()).toBe(0);
  });

  it('says "Sign-in needed" in Settings, with "Sign in again", as soon as uploads find the sign-in gone', async () => {
    revoked = true;
    await page.locator('#add-files-input').setInputFiles([payload('Late scan.pdf', 20_000)]);
    await searchAndChoose(page, 'berlin', 'Train tickets Berlin trip');
    await rowsReach(page, ['Late scan.pdf'], ['needs-sign-in']);
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const account = page.getByRole('region', { name: 'Account' });
    await until(
      () => account.getByText('Sign-in needed').isVisible(),
      'the account to need a sign-in',
    );
    expect(await account.getByRole('button', { name: 'Sign in again' }).count()).toBe(1);

    revoked = false;
    running.stack.engine.signedIn('sim');
    await until(
      () => account.getByText('Connected').isVisible(),
      'the account to be connected again',
    );
    await page.getByRole('button', { name: 'Queue', exact: true }).click();
    await rowsReach(page, ['Late scan.pdf'], ['done']);
  });
});
