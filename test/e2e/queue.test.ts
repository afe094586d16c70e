import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { deleteTaskOnServer } from '../support/engine-harness.ts';
import { payload, screenshotsInEveryLook, type Stack } from '../support/browser.ts';
import {
  appPerFile,
  focusedLabel,
  highlighted,
  picker,
  pickerIsOpen,
  pickerSettled,
  row,
  rowsReach,
  searchAndChoose,
  slowRanges,
  stateOf,
  until,
} from './helpers.ts';

// Many small ranges and the session protocol even for small files: progress to watch.
const running = appPerFile({ engine: { rangeSize: 64 * 1024, smallUploadMaxBytes: 16 * 1024 } });
let stack: Stack;
let page: Page;

beforeAll(() => {
  ({ stack, page } = running);
});

/** The attachments the simulator holds for a file name. */
const attachedAs = (name: string): { taskId: string }[] =>
  stack.sim.control.attachments().filter((attachment) => attachment.name === name);

async function setTargetWithMouse(search: string, option: string): Promise<void> {
  await page.getByRole('button', { name: /^Send to / }).click();
  await searchAndChoose(page, search, option);
}

describe('the queue, in a browser against the real engine', () => {
  it('picks a target with the keyboard only, and the files added reach done', async () => {
    await until(
      () => page.getByText('Drop files anywhere in this window').isVisible(),
      'the empty queue',
    );
    // Tab from the top of the page to "Send to", Enter opens the picker.
    for (let presses = 0; presses < 12; presses += 1) {
      await page.keyboard.press('Tab');
      if ((await focusedLabel(page)).startsWith('Send to ')) break;
    }
    expect(await focusedLabel(page)).toMatch(/^Send to Ask each time/);
    await page.keyboard.press('Enter');
    await until(() => pickerIsOpen(page), 'the picker');
    expect(await focusedLabel(page)).toMatch(/^Search tasks/);
    await page.keyboard.type('berlin');
    await pickerSettled(page);
    await until(
      async () =>
        (await picker(page)
          .getByRole('option', { name: /Train tickets Berlin trip/ })
          .count()) === 1,
      'the search result',
    );
    // Down and back up: the arrows move the highlight, Enter takes it.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    expect(await highlighted(page).textContent()).toContain('Train tickets Berlin trip');
    await page.keyboard.press('Enter');
    await until(async () => !(await pickerIsOpen(page)), 'the picker to close');
    // Focus went back where it was, and the choice shows.
    expect(await focusedLabel(page)).toContain('Train tickets Berlin trip');

    const names = ['Invoice 2026-0412.pdf', 'Scan 2026-03-14 09.41.pdf', 'Receipt Staples.jpg'];
    await page
      .locator('#add-files-input')
      .setInputFiles([
        payload(names[0]!, 40_000),
        payload(names[1]!, 300_000),
        payload(names[2]!, 2_000),
      ]);
    await rowsReach(page, names, ['done']);
    const target = await stack.task('Receipts 2026', 1);
    for (const name of names) {
      expect(attachedAs(name)).toEqual([expect.objectContaining({ taskId: target.taskId })]);
      expect(await row(page, name).textContent()).toContain('Attached');
    }
    // The status bar counts what is done, and the batch is announced in the window too.
    expect(await page.getByRole('status').first().textContent()).toContain('3 attached');
    await until(
      () =>
        page.getByText(`3 files attached to “${target.taskTitle}” (Receipts 2026).`).isVisible(),
      'the batch to be announced',
    );
  });

  it('pauses and resumes every upload', async () => {
    const slow = slowRanges(stack, 300);
    const names = ['Site survey photos.zip', 'Floor plan rev B.pdf'];
    await page
      .locator('#add-files-input')
      .setInputFiles([payload(names[0]!, 1_500_000), payload(names[1]!, 1_200_000)]);
    await rowsReach(page, names, ['uploading']);
    await until(
      async () => ((await row(page, names[0]!).textContent()) ?? '').includes('KB/s'),
      'a speed to show',
    );

    await page.getByRole('button', { name: 'Pause all' }).click();
    await rowsReach(page, names, ['paused']);
    const before = (await stack.engine.listJobs()).filter((job) => names.includes(job.fileName));
    // What is asserted is an absence: no progress in a window of a few ranges' time (300 ms each).
    await new Promise((resolve) => setTimeout(resolve, 800));
    const after = (await stack.engine.listJobs()).filter((job) => names.includes(job.fileName));
    expect(after.map((job) => [job.state, job.bytesAcked])).toEqual(
      before.map((job) => [job.state, job.bytesAcked]),
    );
    expect(
      await row(page, names[0]!)
        .getByRole('button', { name: /^Resume/ })
        .count(),
    ).toBe(1);

    stack.sim.control.removeFault(slow);
    await page.getByRole('button', { name: 'Resume all' }).click();
    await rowsReach(page, names, ['done']);
    for (const name of names) expect(attachedAs(name)).toHaveLength(1);
  });

  it('shows why a file failed, and finishes it once sent to another task', async () => {
    const doomed = await stack.task('Work', 2);
    const security = await stack.task('Work', 5);
    await setTargetWithMouse('onboarding', doomed.taskTitle);
    // Another device deletes the task before the file goes.
    await deleteTaskOnServer(stack.sim, doomed);
    const name = 'Signed offer letter.pdf';
    await page.locator('#add-files-input').setInputFiles([payload(name, 50_000)]);
    await rowsReach(page, [name], ['failed']);
    await until(
      () => page.getByText(`“${doomed.taskTitle}” (Work) no longer exists in To Do.`).isVisible(),
      'the window to say the task is gone',
    );
    const text = (await row(page, name).textContent()) ?? '';
    expect(text).toContain('Failed');
    expect(text).toContain(`The task “${doomed.taskTitle}” no longer exists`);
    expect(text).toContain('Choose another task');
    expect(await page.getByRole('button', { name: /^Queue/ }).textContent()).toContain('1');

    await row(page, name)
      .getByRole('button', { name: /^Choose another task/ })
      .click();
    await until(() => pickerIsOpen(page), 'the picker');
    expect(await picker(page).getByRole('heading').textContent()).toBe(
      `Send “${name}” to another task`,
    );
    // The deleted task is not offered among the recent ones.
    expect(await picker(page).getByRole('option', { name: doomed.taskTitle }).count()).toBe(0);
    await searchAndChoose(page, 'security', 'Security training certificate');
    await rowsReach(page, [name], ['done']);
    expect(attachedAs(name)).toEqual([expect.objectContaining({ taskId: security.taskId })]);
    // "Send to" let go of the deleted task by itself.
    expect(await page.getByRole('button', { name: /^Send to Ask each time/ }).count()).toBe(1);
  });

  it('takes files dropped anywhere, asks for the task with the last one preselected, and says what it refused', async () => {
    expect(await page.getByRole('button', { name: /^Send to Ask each time/ }).count()).toBe(1);
    await page.evaluate(`(() => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(20000)], 'Dropped scan.pdf', { type: 'application/pdf' }));
      data.items.add(new File([new Uint8Array(26300000)], 'Huge video.mov', { type: 'video/quicktime' }));
      const where = document.querySelector('main');
      for (const type of ['dragenter', 'dragover', 'drop']) {
        where.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
      }
    })()`);
    await until(() => pickerIsOpen(page), 'the picker');
    expect(await picker(page).getByRole('heading').textContent()).toBe('Attach 2 files to a task');
    // The most recent target (the retarget above) is highlighted: Enter takes it.
    await pickerSettled(page);
    expect(await highlighted(page).textContent()).toContain('Security training certificate');
    await page.keyboard.press('Enter');
    await rowsReach(page, ['Dropped scan.pdf'], ['done']);
    const refused = page.getByRole('alert').filter({ hasText: 'not queued' });
    await until(async () => (await refused.count()) === 1, 'the refusal notice');
    expect(await refused.textContent()).toContain(
      'Huge video.mov is 25.1 MB, 83.6 KB over the 25.0 MB To Do accepts per attachment.',
    );
    await refused.getByRole('button', { name: /^Dismiss/ }).click();
    expect(await refused.count()).toBe(0);
  });

  it('counts down to the next try after a temporary problem, and retries now on request', async () => {
    const busy = stack.sim.control.addFault({
      operation: 'uploadContent',
      times: 1,
      action: { type: 'status', status: 503, retryAfter: '30' },
    });
    await setTargetWithMouse('phone bill', 'Phone bill March');
    const name = 'Phone bill March 2026.pdf';
    await page.locator('#add-files-input').setInputFiles([payload(name, 200_000)]);
    await rowsReach(page, [name], ['retrying']);
    const text = (await row(page, name).textContent()) ?? '';
    expect(text).toMatch(/Retrying in (29|30) s/);
    expect(text).toContain('temporary problem');
    // Plain words in the row; Microsoft's codes behind "Details".
    expect(text).not.toContain('503');
    await row(page, name)
      .getByRole('button', { name: /^More actions/ })
      .click();
    await page.getByRole('menuitem', { name: 'Details…' }).click();
    const details = page.locator('dialog.problem-details[open]');
    await until(async () => (await details.count()) === 1, 'the details');
    expect(await details.textContent()).toMatch(/503 \S+, request-id \S+/);
    await details.getByRole('button', { name: 'Done' }).click();
    await row(page, name)
      .getByRole('button', { name: /^Retry now/ })
      .click();
    await rowsReach(page, [name], ['done']);
    stack.sim.control.removeFault(busy.id);
  });

  it('says where a file was when it disappears mid-upload, and removes it on request', async () => {
    // Its own target, whatever the tests before it left set.
    await setTargetWithMouse('phone bill', 'Phone bill March');
    const slow = slowRanges(stack, 300);
    const name = 'Moved away.pdf';
    await page.locator('#add-files-input').setInputFiles([payload(name, 300_000)]);
    await rowsReach(page, [name], ['uploading']);
    const job = (await stack.engine.listJobs()).find((each) => each.fileName === name)!;
    rmSync(job.sourcePath);
    await rowsReach(page, [name], ['failed']);
    stack.sim.control.removeFault(slow);
    const text = (await row(page, name).textContent()) ?? '';
    expect(text).toContain('was moved or deleted');
    expect(text).toContain(`Was at ${job.sourcePath}`);
    expect(
      await row(page, name)
        .getByRole('button', { name: /^Retry/ })
        .count(),
    ).toBe(1);
    const inEngine = async (): Promise<boolean> =>
      (await stack.engine.listJobs()).some((each) => each.fileName === name);
    const remove = row(page, name).getByRole('button', { name: /^Remove/ });
    await remove.click();
    await until(async () => (await row(page, name).count()) === 0, 'the row to go');
    // Undo brings it back: nothing had left the queue yet.
    const undo = page.getByRole('status').filter({ hasText: '1 file removed from the queue.' });
    await undo.getByRole('button', { name: 'Undo' }).click();
    await until(async () => (await row(page, name).count()) === 1, 'the row to come back');
    expect(await inEngine()).toBe(true);
    await remove.click();
    await until(async () => !(await inEngine()), 'the file to leave the queue once Undo is gone');
    await until(async () => (await row(page, name).count()) === 0, 'the row to stay gone');
  });

  it('looks right mid-upload with a failure (screenshots, light and dark, wide and narrow)', async () => {
    const gone = await stack.task('Work', 1);
    await setTargetWithMouse('northwind', gone.taskTitle);
    await deleteTaskOnServer(stack.sim, gone);
    await page
      .locator('#add-files-input')
      .setInputFiles([payload('Northwind contract v3.pdf', 180_000)]);
    await rowsReach(page, ['Northwind contract v3.pdf'], ['failed']);

    // Slow enough that none finishes while the four looks are taken and checked.
    const slow = slowRanges(stack, 900);
    await setTargetWithMouse('expense', 'Expense claim April');
    const uploading = [
      'Hotel invoice Lisbon.pdf',
      'Taxi receipts April.pdf',
      'Conference dinner.jpg',
    ];
    const later = ['Flight booking LIS.pdf', 'Per diem sheet.xlsx'];
    await page
      .locator('#add-files-input')
      .setInputFiles([
        payload(uploading[0]!, 2_400_000),
        payload(uploading[1]!, 1_800_000),
        payload(uploading[2]!, 3_100_000),
        payload(later[0]!, 900_000),
        payload(later[1]!, 60_000),
      ]);
    await rowsReach(page, uploading, ['uploading']);
    await row(page, later[1]!)
      .getByRole('button', { name: /^Pause/ })
      .click();
    await rowsReach(page, [later[1]!], ['paused']);
    await until(
      async () => ((await row(page, uploading[2]!).textContent()) ?? '').includes('left'),
      'an ETA to show',
    );
    // Wait for the success notices to fade: the screenshots show the queue itself.
    await until(
      async () => (await page.locator('.notice').count()) === 0,
      'notices to fade',
      10_000,
    );
    // Progress ticks move bars and numbers, never the layout around them.
    const shifted = await page.evaluate<{
      total: number;
      moved: string[];
    }>(`new Promise((resolve) => {
      let total = 0;
      const moved = [];
      const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          total += entry.value;
          for (const source of entry.sources) {
            const node = source.node;
            moved.push(node === null ? '?' : node.nodeType === 1 ? node.outerHTML.slice(0, 160) : 'text: ' + node.textContent);
          }
        }
      });
      observer.observe({ type: 'layout-shift' });
      setTimeout(() => { observer.disconnect(); resolve({ total, moved }); }, 1500);
    })`);
    expect(shifted.total, shifted.moved.join('\n')).toBe(0);

    // The failed row first, the uploads under it.
    // Speeds and times left move between runs: a little more room than the still views.
    const shots = await screenshotsInEveryLook(
      page,
      'queue',
      async () => {
        await page.evaluate(`(() => {
        const slot = document.querySelector('[data-state="failed"]').closest('[data-index]');
        slot.closest('.viewport').scrollTop = Number(slot.dataset.index) * slot.offsetHeight;
      })()`);
      },
      { threshold: 0.1, maxDiffRatio: 0.03 },
    );
    expect(shots.paths).toHaveLength(4);
    expect(shots.accessibility).toEqual([]);
    expect(shots.baseline).toEqual([]);
    expect(await stateOf(page, later[0]!)).toBe('waiting');

    stack.sim.control.removeFault(slow);
    await page.getByRole('button', { name: 'Resume all' }).click();
    await rowsReach(page, [...uploading, ...later], ['done'], 30_000);
  }, 60_000);
});
