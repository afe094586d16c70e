import { describe, expect, it } from 'vitest';
import type { OpenDialogOptions, OpenDialogReturnValue } from 'electron';
import { folderChooser, type FolderDialog } from '../../main/app/folder-chooser.ts';
import { harness } from '../support/engine-harness.ts';

interface FakeWindow {
  id: number;
}

/** Electron's dialog, answering as scripted, and what it was asked. */
function fakeDialog(answer: OpenDialogReturnValue): FolderDialog<FakeWindow> & {
  asked: { window: FakeWindow; options: OpenDialogOptions }[];
} {
  const asked: { window: FakeWindow; options: OpenDialogOptions }[] = [];
  return {
    asked,
    showOpenDialog: (window, options) => {
      asked.push({ window, options });
      return Promise.resolve(answer);
    },
  };
}

describe('the folder chooser', () => {
  it('asks for one folder (creating one allowed), attached to the window', async () => {
    const dialog = fakeDialog({ canceled: false, filePaths: ['/home/ann/Scans'] });
    const window = { id: 1 };
    expect(await folderChooser(dialog, () => window)()).toBe('/home/ann/Scans');
    expect(dialog.asked).toHaveLength(1);
    expect(dialog.asked[0]!.window).toBe(window);
    expect(dialog.asked[0]!.options.properties).toEqual(['openDirectory', 'createDirectory']);
  });

  it('answers null when the person cancels, or when there is no window to attach to', async () => {
    const cancelled = fakeDialog({ canceled: true, filePaths: [] });
    expect(await folderChooser(cancelled, () => ({ id: 1 }))()).toBeNull();
    const unused = fakeDialog({ canceled: false, filePaths: ['/x'] });
    expect(await folderChooser(unused, () => undefined)()).toBeNull();
    expect(unused.asked).toEqual([]);
  });

  it('is what the engine offers: without one (a browser, the CLI) there is none', async () => {
    const h = await harness();
    try {
      const without = h.open();
      expect((await without.appInfo()).canChooseFolders).toBe(false);
      expect(await without.chooseFolder()).toBeNull();
      await without.close();
      const dialog = fakeDialog({ canceled: false, filePaths: ['/home/ann/Scans'] });
      const withOne = h.open({ chooseFolder: folderChooser(dialog, () => ({ id: 7 })) });
      expect((await withOne.appInfo()).canChooseFolders).toBe(true);
      expect(await withOne.chooseFolder()).toBe('/home/ann/Scans');
    } finally {
      await h.close();
    }
  });
});
