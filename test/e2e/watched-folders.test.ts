import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TaskTarget, WatchState } from '../../preload/shared/contract.ts';
import { screenshot, screenshotsInEveryLook, type Stack } from '../support/browser.ts';
import { sha256Of } from '../support/engine-harness.ts';
import { fastTimings } from '../watch/watch-harness.ts';
import {
  appPerFile,
  focusedLabel,
  pickerIsOpen,
  rowsReach,
  searchAndChoose,
  until,
} from './helpers.ts';

// The engine watches, with the watch timings scaled down as in the watch tests.
const running = appPerFile({ engine: { watch: { timings: fastTimings } }, watching: true });
let stack: Stack;
let page: Page;
let receipts: TaskTarget;
let scans: string;

beforeAll(async () => {
  ({ stack, page } = running);
  receipts = await stack.task('Receipts 2026', 2);
  scans = folder('Scans');
});

/** A fresh folder under the stack's temp dir. */
function folder(name: string): string {
  const path = join(stack.dir, 'watched', name);
  mkdirSync(path, { recursive: true });
  return path;
}

const form = (): Locator => page.locator('dialog.folder-form[open]');

function card(name: string): Locator {
  return page.locator('[data-folder-id]').filter({
    has: page.getByRole('heading', { name, exact: true }),
  });
}

async function badgeOf(name: string): Promise<string> {
  return ((await card(name).locator('[data-badge]').textContent()) ?? '').trim();
}

async function statOf(name: string, stat: string): Promise<string> {
  return ((await card(name).locator(`[data-stat="${stat}"] dd`).textContent()) ?? '').trim();
}

async function show(view: 'Queue' | 'Watched folders'): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: view }).click();
}

async function openAddForm(): Promise<void> {
  await page.locator('[data-add-folder]').click();
  await until(async () => (await form().count()) === 1, 'the add-folder form');
}

/** Opens the picker from the form and chooses the task by searching its title. */
async function pickTarget(target: TaskTarget): Promise<void> {
  await form()
    .getByRole('button', { name: /^Send its files to/ })
    .click();
  await searchAndChoose(page, target.taskTitle, target.taskTitle);
}

async function engineFolder(path: string) {
  return (await stack.engine.listWatchedFolders()).find((watched) => watched.path === path);
}

async function folderState(path: string): Promise<WatchState | undefined> {
  return (await engineFolder(path))?.status.state;
}

describe('watched folders', () => {
  it('explains what watched folders do when there are none, and offers to add one', async () => {
    await show('Watched folders');
    const empty = page.locator('.folders .empty');
    await until(() => empty.isVisible(), 'the empty state');
    expect(await empty.innerText()).toContain('attached to the task you choose, once');
    expect(await empty.getByRole('button', { name: 'Add a watched folder…' }).count()).toBe(1);
    await screenshot(page, 'watched-folders-empty-light');
  });

  it('adds a folder in the UI; a file written into it is queued, attached and moved to uploaded/', async () => {
    await openAddForm();
    // The path field has the focus, and a browser offers no folder chooser.
    expect(await page.evaluate(`document.activeElement.id`)).toBe('folder-path');
    expect(await form().getByRole('button', { name: 'Choose folder…' }).count()).toBe(0);
    await page.keyboard.type(scans);
    await pickTarget(receipts);
    // Focus is back in the form, on what opened the picker, which now names the task.
    expect(await page.evaluate(`document.activeElement.id`)).toBe('folder-target');
    expect(
      await form()
        .getByRole('button', { name: /^Send its files to/ })
        .textContent(),
    ).toContain(receipts.taskTitle);
    await form().getByLabel('Move it into the subfolder').check();
    expect(await form().getByLabel('Subfolder to move attached files into').inputValue()).toBe(
      'uploaded',
    );
    await form().getByRole('button', { name: 'Watch this folder' }).click();
    await until(async () => (await form().count()) === 0, 'the form to close');
    await until(async () => (await badgeOf('Scans')) === 'Watching', 'Scans to be watched');
    // The new folder has the focus.
    expect(await page.evaluate(`document.activeElement.dataset.folderId`)).not.toBeUndefined();
    const saved = await engineFolder(scans);
    expect(saved).toMatchObject({
      afterUpload: 'move',
      moveTo: 'uploaded',
      recursive: false,
      skipAttachedContent: true,
      target: { taskId: receipts.taskId },
    });
    expect(await card('Scans').textContent()).toContain(receipts.taskTitle);

    const bytes = randomBytes(300_000);
    writeFileSync(join(scans, 'invoice-0042.pdf'), bytes);
    await until(async () => (await statOf('Scans', 'seen')) === '1', 'the file to be seen');
    await show('Queue');
    await rowsReach(page, ['invoice-0042.pdf'], ['done']);
    const moved = join(scans, 'uploaded', 'invoice-0042.pdf');
    await until(() => existsSync(moved), 'the file to move into uploaded/');
    expect(existsSync(join(scans, 'invoice-0042.pdf'))).toBe(false);
    expect(readFileSync(moved).equals(bytes)).toBe(true);
    const attached = stack.sim.control
      .attachments()
      .filter((attachment) => attachment.taskId === receipts.taskId);
    expect(attached.map((attachment) => [attachment.name, attachment.sha256])).toEqual([
      ['invoice-0042.pdf', sha256Of(bytes)],
    ]);
    await show('Watched folders');
    await until(async () => (await statOf('Scans', 'uploaded')) === '1', 'uploaded: 1');
  });

  it('refuses a folder that is not there inline, and keeps everything typed', async () => {
    await openAddForm();
    // Nothing typed: each problem next to its field, the first one focused.
    await form().getByRole('button', { name: 'Watch this folder' }).click();
    expect(await form().locator('#error-folder-path').textContent()).toContain(
      'Enter the folder’s full path.',
    );
    expect(await form().locator('#error-folder-target').textContent()).toContain(
      'Choose the task its files go to.',
    );
    expect(await page.evaluate(`document.activeElement.id`)).toBe('folder-path');

    const nowhere = join(stack.dir, 'watched', 'Scnas');
    await page.keyboard.type(nowhere);
    await pickTarget(receipts);
    await form().getByLabel('Only files named').fill('*.pdf, scan-*');
    await form().getByRole('button', { name: 'Watch this folder' }).click();
    // The refusal is about the path: it shows at the path field.
    const atField = form().locator('#error-folder-path');
    await until(async () => (await atField.count()) === 1, 'the refusal at the path');
    expect(await atField.textContent()).toContain(`There is no folder at ${nowhere}.`);
    expect(await form().getByLabel('Folder', { exact: true }).inputValue()).toBe(nowhere);
    expect(await form().getByLabel('Only files named').inputValue()).toBe('*.pdf, scan-*');
    expect(await engineFolder(nowhere)).toBeUndefined();
    await screenshot(page, 'watched-folders-refused-light');

    // A pattern with a slash is caught before it is sent.
    await form().getByLabel('Only files named').fill('a/*.pdf');
    await form().getByRole('button', { name: 'Watch this folder' }).click();
    expect(await form().locator('#error-folder-include').textContent()).toContain(
      'is not a file-name pattern',
    );
    await page.keyboard.press('Escape');
    await until(async () => (await form().count()) === 0, 'the form to close');
    expect(await stack.engine.listWatchedFolders()).toHaveLength(1);
  });

  it('pauses a folder: files written meanwhile wait, and go once it resumes', async () => {
    await card('Scans').getByRole('button', { name: 'Pause watching Scans' }).click();
    await until(async () => (await badgeOf('Scans')) === 'Paused', 'Scans to be paused');
    expect(await folderState(scans)).toBe('paused');
    // The same button, now Resume, keeps the focus.
    expect(await focusedLabel(page)).toBe('Resume watching Scans');

    writeFileSync(join(scans, 'while-paused.pdf'), randomBytes(20_000));
    // Well past the time a file takes to settle (fastTimings): nothing is taken while paused.
    await page.waitForTimeout(1_200);
    expect((await stack.engine.listJobs()).map((job) => job.fileName)).not.toContain(
      'while-paused.pdf',
    );

    await page.keyboard.press('Enter');
    await until(async () => (await badgeOf('Scans')) === 'Watching', 'Scans to watch again');
    await show('Queue');
    await rowsReach(page, ['while-paused.pdf'], ['done']);
    await until(
      () => existsSync(join(scans, 'uploaded', 'while-paused.pdf')),
      'the file to move into uploaded/',
    );
    await show('Watched folders');
  });

  it('edits a folder in the same form, filled with its settings', async () => {
    await card('Scans').getByRole('button', { name: 'Edit Scans' }).click();
    await until(async () => (await form().count()) === 1, 'the edit form');
    expect(await form().getByRole('heading').textContent()).toBe('Edit Scans');
    const path = form().getByLabel('Folder', { exact: true });
    expect(await path.inputValue()).toBe(scans);
    expect(await path.getAttribute('readonly')).not.toBeNull();
    expect(await form().getByLabel('Move it into the subfolder').isChecked()).toBe(true);
    await form().getByLabel('Only files named').fill('*.pdf');
    await form().getByLabel('Include files in subfolders').check();
    await form().getByLabel('Only files named').press('Enter');
    await until(async () => (await form().count()) === 0, 'the form to close');
    await until(
      async () => (await engineFolder(scans))?.include.join() === '*.pdf',
      'the new patterns',
    );
    expect((await engineFolder(scans))?.recursive).toBe(true);
    expect(await card('Scans').textContent()).toContain('Only *.pdf · with subfolders');
  });

  it('removes a folder after saying its queued files stay', async () => {
    const jobs = (await stack.engine.listJobs()).length;
    await card('Scans').getByRole('button', { name: 'Remove Scans' }).click();
    const confirm = page.locator('dialog.remove-folder[open]');
    await until(async () => (await confirm.count()) === 1, 'the confirmation');
    expect(await confirm.textContent()).toContain('Files it already queued stay in the queue');
    // The safe answer has the focus: Enter keeps the folder.
    expect(await focusedLabel(page)).toBe('Keep watching');
    await confirm.getByRole('button', { name: 'Stop watching' }).click();
    await until(async () => (await card('Scans').count()) === 0, 'the card to go');
    expect(await stack.engine.listWatchedFolders()).toEqual([]);
    expect(await stack.engine.listJobs()).toHaveLength(jobs);
    // Focus goes to Add, in the empty state now.
    expect(await focusedLabel(page)).toBe('Add a watched folder…');
  });

  // Four looks, each axe-checked, after folders in four states: ~10 s alone, more under load.
  it('looks right with folders in every state (screenshots, light and dark, wide and narrow)', async () => {
    const work = await stack.task('Work', 0);
    const inbox = folder('Inbox');
    const exports = folder('Exports');
    const gone = folder('Gone');
    const drive = join(stack.dir, 'Network drive', 'Shared', 'Team', 'Scans 2026');
    const add = stack.engine.addWatchedFolder.bind(stack.engine);
    await add({ path: inbox, target: receipts, include: ['*.pdf'], afterUpload: 'move' });
    await add({ path: exports, target: work, recursive: true, paused: true });
    await add({ path: drive, target: work, poll: true, afterUpload: 'delete' });
    await add({ path: gone, target: receipts });
    writeFileSync(join(inbox, 'receipt.pdf'), randomBytes(10_000));
    rmSync(gone, { recursive: true });
    writeFileSync(gone, 'not a folder any more');
    await until(
      async () =>
        (await folderState(gone)) === 'error' &&
        (await folderState(drive)) === 'folder-missing' &&
        (await stack.engine.listJobs()).some(
          (job) => job.fileName === 'receipt.pdf' && job.state === 'done',
        ),
      'the folders to settle in their states',
    );
    await until(async () => (await statOf('Inbox', 'uploaded')) === '1', 'the Inbox upload');
    expect(await badgeOf('Exports')).toBe('Paused');
    expect(await badgeOf('Scans 2026')).toBe('Folder missing');
    expect(await badgeOf('Gone')).toBe('Cannot watch');
    expect(await card('Gone').textContent()).toContain('is a file, not a folder');
    expect(await card('Scans 2026').textContent()).toContain('Is its drive connected?');
    expect(
      await card('Gone')
        .getByRole('button', { name: /^Try again/ })
        .count(),
    ).toBe(1);

    // The notices would cover the cards. A batch is announced 1.5 s after its last file
    // (renderer/lib/state/queue.svelte.ts): none may arrive within that after dismissing.
    await until(async () => {
      await page.evaluate(
        `document.querySelectorAll('.notices [aria-label^="Dismiss"]').forEach((b) => b.click())`,
      );
      await page.waitForTimeout(1_600);
      return (await page.locator('.notice').count()) === 0;
    }, 'no message to be due');
    const list = await screenshotsInEveryLook(page, 'watched-folders', async () => {
      await page.evaluate(`document.querySelector('.folders').scrollTop = 0`);
    });
    expect(list.accessibility).toEqual([]);
    expect(list.baseline).toEqual([]);
    // Beside the tray the three tabs and the demo badge still fit in the header.
    await page.setViewportSize({ width: 420, height: 720 });
    expect(
      await page.evaluate(`(() => {
        const header = document.querySelector('.header');
        return header.scrollWidth - header.clientWidth;
      })()`),
    ).toBe(0);
    await page.setViewportSize({ width: 900, height: 640 });

    await page.locator('[data-add-folder]').click();
    await until(async () => (await form().count()) === 1, 'the add-folder form');
    await form().getByLabel('Folder', { exact: true }).fill(join(stack.dir, 'nowhere'));
    await form().getByRole('button', { name: 'Watch this folder' }).click();
    await until(async () => (await form().locator('.problem').count()) > 0, 'the problems');
    const shots = await screenshotsInEveryLook(page, 'watched-folders-form');
    expect(shots.accessibility).toEqual([]);
    expect(shots.baseline).toEqual([]);
    await page.keyboard.press('Escape');
    await until(async () => (await form().count()) === 0, 'the form to close');
    expect(await pickerIsOpen(page)).toBe(false);

    // Fixed on disk, "Try again" watches it again without a pause and resume.
    rmSync(gone);
    mkdirSync(gone);
    await card('Gone')
      .getByRole('button', { name: /^Try again/ })
      .click();
    await until(async () => (await folderState(gone)) === 'watching', 'Gone to be watched again');
    await until(async () => (await badgeOf('Gone')) !== 'Cannot watch', 'its card to say so');
  }, 60_000);
});
