import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { appPerFile, pickerIsOpen, picker, rowsReach, searchAndChoose, until } from './helpers.ts';

const ui = appPerFile();

/** A real PNG of a few colours, as a screenshot on the clipboard would be. */
function screenshotPng(): Buffer {
  const png = new PNG({ width: 64, height: 40 });
  for (let index = 0; index < png.data.length; index += 4) {
    png.data[index] = index % 251;
    png.data[index + 1] = (index >> 3) % 256;
    png.data[index + 2] = 120;
    png.data[index + 3] = 255;
  }
  return PNG.sync.write(png);
}

/**
 * Ctrl+V as the browser delivers it: a paste event on what has focus, its clipboardData
 * holding `files` (base64 bytes, name, type) and `text`.
 */
async function paste(
  content: { files?: { base64: string; name: string; type: string }[]; text?: string },
  where = 'body',
): Promise<void> {
  await ui.page.evaluate(`(() => {
    const given = ${JSON.stringify(content)};
    const data = new DataTransfer();
    for (const file of given.files ?? []) {
      const bytes = Uint8Array.from(atob(file.base64), (char) => char.charCodeAt(0));
      data.items.add(new File([bytes], file.name, { type: file.type }));
    }
    if (given.text !== undefined) data.setData('text/plain', given.text);
    const target = document.querySelector(${JSON.stringify(where)}) ?? document.body;
    target.dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
    );
  })()`);
}

const attachedNamed = (name: string) =>
  ui.stack.sim.control.attachments().filter((attachment) => attachment.name === name);

function bytesAttachedAs(name: string): Buffer | undefined {
  const [attachment] = attachedNamed(name);
  return attachment === undefined ? undefined : ui.stack.sim.control.attachmentBytes(attachment.id);
}

/** A notice's text, by what it starts with; waits for it. */
async function notice(startsWith: string): Promise<string> {
  const found = ui.page.locator('.notice').filter({ hasText: startsWith });
  await until(async () => (await found.count()) > 0, `a notice "${startsWith}"`);
  return (await found.first().textContent()) ?? '';
}

describe('pasting into the window (browser mode)', () => {
  it('takes a pasted image as a PNG named like a screenshot, and attaches it byte for byte', async () => {
    const png = screenshotPng();
    await paste({
      files: [{ base64: png.toString('base64'), name: 'image.png', type: 'image/png' }],
    });
    await until(() => pickerIsOpen(ui.page), 'the picker');
    expect(await picker(ui.page).getByRole('heading').textContent()).toBe(
      'Attach 1 file to a task',
    );
    await searchAndChoose(ui.page, 'train', 'Train tickets Berlin trip');
    const screenshotJob = async () =>
      (await ui.stack.engine.listJobs()).find((each) => each.fileName.startsWith('Screenshot'));
    await until(async () => (await screenshotJob()) !== undefined, 'the image to be queued');
    const job = await screenshotJob();
    // As the OS the page runs on names screenshots (macOS, Windows, Linux).
    expect(job?.fileName).toMatch(
      /^Screenshot (\d{4}-\d\d-\d\d at \d\d\.\d\d\.\d\d|\d{4}-\d\d-\d\d \d{6}|from \d{4}-\d\d-\d\d \d\d-\d\d-\d\d)\.png$/,
    );
    const fileName = job?.fileName ?? '';
    await rowsReach(ui.page, [fileName], ['done']);
    expect(bytesAttachedAs(fileName)?.equals(png)).toBe(true);
    expect(attachedNamed(fileName)[0]?.contentType).toBe('image/png');
    // Its copy in the data folder goes once the job is done.
    const staged = join(ui.stack.dir, 'staged');
    await until(() => readdirSync(staged).length === 0, 'the staged copy to go');
  });

  it('takes pasted text that is the path of a file as that file', async () => {
    const path = ui.stack.file('Invoice ACME 2026-03.pdf', 48_000);
    await paste({ text: `"${path}"\n` });
    await until(() => pickerIsOpen(ui.page), 'the picker');
    expect(await picker(ui.page).getByRole('heading').textContent()).toBe(
      'Attach 1 file to a task',
    );
    await searchAndChoose(ui.page, 'train', 'Train tickets Berlin trip');
    await rowsReach(ui.page, ['Invoice ACME 2026-03.pdf'], ['done']);
    expect(bytesAttachedAs('Invoice ACME 2026-03.pdf')?.equals(readFileSync(path))).toBe(true);
  });

  it('answers Ctrl/⌘+V itself, with what the page’s clipboard holds', async () => {
    const path = ui.stack.file('Copied path.pdf', 12_000);
    await ui.app.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(ui.stack.web.url).origin,
    });
    await ui.page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(path)})`);
    await ui.page.locator('body').click({ position: { x: 5, y: 300 } });
    await ui.page.keyboard.press('ControlOrMeta+V');
    await until(() => pickerIsOpen(ui.page), 'the picker');
    await searchAndChoose(ui.page, 'train', 'Train tickets Berlin trip');
    await rowsReach(ui.page, ['Copied path.pdf'], ['done']);
    expect(bytesAttachedAs('Copied path.pdf')?.equals(readFileSync(path))).toBe(true);
  });

  it('says so in plain words when nothing pasted can be attached, and opens no picker', async () => {
    await paste({ text: 'Remember to pay the invoice by Friday' });
    expect(await notice('The clipboard holds text, not a file')).toContain(
      'Copy a file, an image or the path of a file, then paste again.',
    );
    await paste({ text: join(ui.stack.dir, 'no such file.pdf') });
    expect(await notice('no such file.pdf is not a file')).toContain(
      'is not a file on this computer',
    );
    await paste({});
    expect(await notice('The clipboard holds nothing to attach')).toContain(
      'Copy a file, an image or the path of a file, then paste again.',
    );
    expect(await pickerIsOpen(ui.page)).toBe(false);
  });

  it('leaves a paste into a text field to the field', async () => {
    const jobsBefore = (await ui.stack.engine.listJobs()).length;
    const noticesBefore = await ui.page.locator('.notice').count();
    await ui.page.locator('#queue-search').focus();
    const path = ui.stack.file('Not this one.pdf', 1_000);
    await paste({ text: path }, '#queue-search');
    await ui.page.waitForTimeout(300);
    expect(await pickerIsOpen(ui.page)).toBe(false);
    expect(await ui.page.locator('.notice').count()).toBe(noticesBefore);
    expect((await ui.stack.engine.listJobs()).length).toBe(jobsBefore);
  });
});
