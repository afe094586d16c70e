import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshotsInEveryLook, type Stack } from '../support/browser.ts';
import {
  appPerFile,
  focusedLabel,
  highlighted,
  picker,
  pickerIsOpen,
  pickerSettled,
  until,
} from './helpers.ts';

const running = appPerFile();
let stack: Stack;
let page: Page;

beforeAll(() => {
  ({ stack, page } = running);
});

const sendTo = (): ReturnType<Page['getByRole']> => page.getByRole('button', { name: /^Send to / });

async function openPicker(): Promise<void> {
  await sendTo().click();
  await until(() => pickerIsOpen(page), 'the task picker');
  await pickerSettled(page);
}

describe('the task picker', () => {
  it('lists the lists with their open tasks, and a chosen list’s tasks (at most 100 rows)', async () => {
    await openPicker();
    const lists = picker(page).getByRole('listbox', { name: 'Lists' });
    const archive = lists.getByRole('option', { name: /Archive/ });
    // 260 tasks, every third completed: 174 open.
    expect(await archive.textContent()).toContain('174');
    expect(await lists.getByRole('option', { name: /Receipts 2026/ }).textContent()).toContain('8');
    await archive.click();
    await pickerSettled(page);
    const tasks = picker(page).locator('#picker-options [role="option"]');
    expect(await tasks.count()).toBe(100);
    expect(await picker(page).textContent()).toContain('Showing the first 100');
    // Arrow keys on the lists move between lists.
    await lists.focus();
    await page.keyboard.press('ArrowDown');
    await pickerSettled(page);
    expect(await lists.locator('[aria-selected="true"]').textContent()).toContain('Home');
    expect(await tasks.count()).toBe(6);
    await page.keyboard.press('Escape');
    await until(async () => !(await pickerIsOpen(page)), 'the picker to close');
    // Esc gives focus back to what opened the picker.
    expect(await focusedLabel(page)).toMatch(/^Send to /);
  });

  it('finds a task among the 260 of the Archive list as you type, across every list', async () => {
    await openPicker();
    const started = Date.now();
    await page.keyboard.type('item 257');
    await pickerSettled(page);
    const elapsed = Date.now() - started;
    const results = picker(page).locator('#picker-options [role="option"]');
    expect(await results.first().textContent()).toContain('Archived item 257');
    expect(await results.first().textContent()).toContain('Archive');
    expect(await highlighted(page).textContent()).toContain('Archived item 257');
    // Typing, the 100 ms pause, the search over every list and the drawing: well under a second.
    expect(elapsed).toBeLessThan(1_500);
    // A completed task (every third) is not offered.
    await page.keyboard.press('Control+A');
    await page.keyboard.type('item 258');
    await pickerSettled(page);
    expect(await results.first().textContent()).toContain('Create task “item 258”');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('item 257');
    await pickerSettled(page);
    await page.keyboard.press('Enter');
    await until(async () => !(await pickerIsOpen(page)), 'the picker to close');
    expect(await sendTo().textContent()).toContain('Archived item 257');
  });

  it('creates a task on the spot in the chosen list', async () => {
    await openPicker();
    await picker(page)
      .getByRole('listbox', { name: 'Lists' })
      .getByRole('option', { name: /Home/ })
      .click();
    await pickerSettled(page);
    await picker(page)
      .getByRole('combobox', { name: /^Search tasks/ })
      .focus();
    await page.keyboard.type('Passport renewal 2026');
    await pickerSettled(page);
    expect(await highlighted(page).textContent()).toContain(
      'Create task “Passport renewal 2026” in Home',
    );
    await page.keyboard.press('Enter');
    await until(async () => !(await pickerIsOpen(page)), 'the picker to close');
    expect(await sendTo().textContent()).toContain('Passport renewal 2026');
    expect(
      (await stack.titles('Home')).filter((title) => title === 'Passport renewal 2026'),
    ).toHaveLength(1);
    // It is a recent target now, and found by search.
    await openPicker();
    expect(await highlighted(page).textContent()).toContain('Passport renewal 2026');
    await page.keyboard.press('Escape');
  });

  it('keeps the keyboard inside while open: Tab goes round, Esc closes', async () => {
    await openPicker();
    const seen: string[] = [];
    for (let presses = 0; presses < 10; presses += 1) {
      await page.keyboard.press('Tab');
      const inside = await page.evaluate<boolean>(
        `document.activeElement !== null && document.activeElement.closest('dialog') !== null`,
      );
      expect(inside).toBe(true);
      seen.push(await focusedLabel(page));
    }
    // Search, the lists, reload, Cancel, the choose button, close... and round again.
    expect(seen.some((label) => label.startsWith('Search tasks'))).toBe(true);
    expect(seen).toContain('Lists');
    expect(seen).toContain('Cancel');
    await page.keyboard.press('Escape');
    await until(async () => !(await pickerIsOpen(page)), 'the picker to close');
  });

  it('looks right (screenshots, light and dark, wide and narrow)', async () => {
    await openPicker();
    await page.keyboard.type('re');
    await pickerSettled(page);
    await page.keyboard.press('ArrowDown');
    const shots = await screenshotsInEveryLook(page, 'picker');
    expect(shots.paths).toHaveLength(4);
    expect(shots.accessibility).toEqual([]);
    expect(shots.baseline).toEqual([]);
    await page.keyboard.press('Escape');
    await openPicker();
    const browsing = await screenshotsInEveryLook(page, 'picker-browse');
    expect(browsing.paths).toHaveLength(4);
    expect(browsing.accessibility).toEqual([]);
    expect(browsing.baseline).toEqual([]);
    await page.keyboard.press('Escape');
  });
});
