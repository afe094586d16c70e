import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { payload, type Stack } from '../support/browser.ts';
import { appPerFile, slowRanges, row, rowsReach, searchAndChoose, until } from './helpers.ts';

// Small ranges: an upload has confirmed bytes long before it is done.
const running = appPerFile({ engine: { rangeSize: 64 * 1024, smallUploadMaxBytes: 16 * 1024 } });
let stack: Stack;
let page: Page;

beforeAll(() => {
  ({ stack, page } = running);
});

const names = ['Budget 2026.xlsx', 'Board minutes March.pdf', 'Site photo 14.jpg'];

async function shown(): Promise<string[]> {
  return page.locator('[data-job-id] .name').allTextContents();
}

const inEngine = async (name: string): Promise<boolean> =>
  (await stack.engine.listJobs()).some((job) => job.fileName === name);

describe('acting on the queue, safely and by keyboard', () => {
  it('finds files by name, and says so when none is called like that', async () => {
    await page
      .locator('#add-files-input')
      .setInputFiles(names.map((name) => payload(name, 20_000)));
    await searchAndChoose(page, 'berlin', 'Train tickets Berlin trip');
    await rowsReach(page, names, ['done']);
    await page.keyboard.press(process.platform === 'darwin' ? 'Meta+F' : 'Control+F');
    await page.keyboard.type('board');
    await until(async () => (await shown()).length === 1, 'one file to match');
    expect(await shown()).toEqual(['Board minutes March.pdf']);
    await page.keyboard.type('zz');
    await until(() => page.getByText('No file is called like “boardzz”.').isVisible(), 'no match');
    await page.getByRole('button', { name: 'Clear the search' }).click();
    await until(async () => (await shown()).length === 3, 'every file again');
  });

  it('selects with Ctrl+A, clears with Esc, removes with Delete, and Undo brings them back', async () => {
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('Control+A');
    expect(await page.getByText('3 files selected').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.getByText('3 files selected').count()).toBe(0);

    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await until(async () => (await shown()).length === 0, 'the rows to go');
    const notice = page.getByRole('status').filter({ hasText: '3 files removed from the queue.' });
    await notice.getByRole('button', { name: 'Undo' }).click();
    await until(async () => (await shown()).length === 3, 'the rows to come back');
    for (const name of names) expect(await inEngine(name)).toBe(true);
  });

  it('clears finished files with Undo offered, and then they leave the engine too', async () => {
    await page.getByRole('button', { name: 'Clear finished' }).click();
    await until(async () => (await shown()).length === 0, 'the finished rows to go');
    expect(await page.getByText('3 finished files cleared from the queue.').isVisible()).toBe(true);
    await until(async () => !(await inEngine(names[0]!)), 'the engine to let them go', 12_000);
  });

  it('asks before Cancel throws confirmed bytes away, and Space pauses the selected', async () => {
    const slow = slowRanges(stack, 250);
    const name = 'Long recording.m4a';
    await page.locator('#add-files-input').setInputFiles([payload(name, 1_500_000)]);
    await searchAndChoose(page, 'berlin', 'Train tickets Berlin trip');
    await until(async () => (await stateOfRow(name)) === 'uploading', 'the upload to start');
    await until(
      async () =>
        ((await stack.engine.listJobs()).find((job) => job.fileName === name)?.bytesAcked ?? 0) > 0,
      'some bytes to be confirmed',
    );
    await row(page, name).getByRole('checkbox').check();
    // Space on the checkbox is the checkbox's; on the list it pauses what is selected.
    await page.mouse.click(500, 560);
    await page.keyboard.press('Space');
    await rowsReach(page, [name], ['paused']);

    await row(page, name)
      .getByRole('button', { name: /^More actions/ })
      .click();
    await page.getByRole('menuitem', { name: 'Cancel upload' }).click();
    const dialog = page.locator('dialog.confirm-cancel[open]');
    await until(async () => (await dialog.count()) === 1, 'the question');
    expect(await dialog.textContent()).toContain('already reached Microsoft To Do');
    await dialog.getByRole('button', { name: 'Keep uploading' }).click();
    expect(await stateOfRow(name)).toBe('paused');

    await row(page, name)
      .getByRole('button', { name: /^More actions/ })
      .click();
    await page.getByRole('menuitem', { name: 'Cancel upload' }).click();
    await dialog.getByRole('button', { name: 'Cancel upload' }).click();
    await rowsReach(page, [name], ['cancelled']);
    stack.sim.control.removeFault(slow);
  });

  it('lists the shortcuts on F1 and on ?', async () => {
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('F1');
    const list = page.locator('dialog.shortcuts[open]');
    await until(async () => (await list.count()) === 1, 'the shortcuts');
    expect(await list.textContent()).toContain('Pause or resume the selected files');
    await page.keyboard.press('Escape');
    await until(async () => (await list.count()) === 0, 'the list to close');
    await page.keyboard.press('?');
    await until(async () => (await list.count()) === 1, 'the shortcuts again');
    await list.getByRole('button', { name: 'Done' }).click();
  });
});

async function stateOfRow(name: string): Promise<string | null> {
  return row(page, name).getAttribute('data-state');
}
