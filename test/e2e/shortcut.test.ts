import { describe, expect, it } from 'vitest';
import {
  describeAccelerator,
  desktopPlatformOf,
  platformOfUserAgent,
  type DesktopPlatform,
} from '../../preload/shared/accelerator.ts';
import { ShortcutRegistrar, type GlobalShortcutLike } from '../../main/app/global-shortcut.ts';
import { screenshotsInEveryLook } from '../support/browser.ts';
import { appPerFile, openSettings, until } from './helpers.ts';

/** The OS's side of global shortcuts: another app already holds Ctrl+Alt+K. */
const held = new Set<string>();
const os: GlobalShortcutLike = {
  register: (accelerator) => {
    if (accelerator === 'Control+Alt+K' || held.has(accelerator)) return false;
    held.add(accelerator);
    return true;
  },
  unregister: (accelerator) => void held.delete(accelerator),
};

// The app's own registrar over that OS: what Settings shows is what main/app would say.
const ui = appPerFile({
  engine: {
    shortcut: new ShortcutRegistrar(os, () => undefined, desktopPlatformOf(process.platform)),
  },
});

const field = () => ui.page.locator('#setting-shortcut');
const status = () => ui.page.locator('#error-shortcut');
const saved = async () => (await ui.stack.engine.getSettings()).globalShortcut;

async function pagePlatform(): Promise<DesktopPlatform> {
  return platformOfUserAgent(await ui.page.evaluate<string>('navigator.userAgent'));
}

describe('the global shortcut in Settings', () => {
  it('is off until set, and Esc leaves it so', async () => {
    await openSettings(ui.page);
    expect(await field().textContent()).toContain('Not set');
    expect(await ui.page.getByRole('button', { name: 'Clear the shortcut' }).count()).toBe(0);
    await field().click();
    await until(
      async () => ((await field().textContent()) ?? '').includes('Press the keys'),
      'recording',
    );
    expect(await status().textContent()).toContain('Esc cancels.');
    await ui.page.keyboard.down('Control');
    await until(
      async () => ((await field().textContent()) ?? '').includes('…'),
      'the held modifier',
    );
    await ui.page.keyboard.up('Control');
    await ui.page.keyboard.press('Escape');
    expect(await field().textContent()).toContain('Not set');
    expect(await saved()).toBeNull();
    expect(held.size).toBe(0);
  });

  it('records the keys pressed, saves them, claims them, and shows them in the OS’s words', async () => {
    await field().click();
    await ui.page.keyboard.press('Control+Alt+T');
    await until(async () => (await saved()) === 'Control+Alt+T', 'the shortcut saved');
    expect([...held]).toEqual(['Control+Alt+T']);
    const words = describeAccelerator('Control+Alt+T', await pagePlatform());
    await until(async () => ((await field().textContent()) ?? '').includes(words), words);
    expect(await status().textContent()).toContain('Saved');
  });

  it('refuses in plain words a shortcut every app needs, and one another app holds', async () => {
    const platform = await pagePlatform();
    await field().click();
    await ui.page.keyboard.press('Control+V');
    await until(
      async () =>
        ((await status().textContent()) ?? '').includes('belongs to the apps you work in'),
      'the refusal of Ctrl+V',
    );
    expect(await saved()).toBe('Control+Alt+T');
    await field().click();
    await ui.page.keyboard.press('Control+Alt+K');
    const taken = `${describeAccelerator('Control+Alt+K', platform)} is already used by another app or by the system, so taskdrop cannot have it. Choose another shortcut.`;
    await until(async () => ((await status().textContent()) ?? '').includes(taken), 'taken');
    // What was set stays set, and claimed.
    expect(await saved()).toBe('Control+Alt+T');
    expect([...held]).toEqual(['Control+Alt+T']);
    expect(await field().textContent()).toContain(describeAccelerator('Control+Alt+T', platform));
  });

  it('looks right (screenshots, light and dark, wide and narrow)', async () => {
    const shots = await screenshotsInEveryLook(ui.page, 'settings-shortcut', async () => {
      await ui.page.evaluate(
        `document.querySelector('#setting-shortcut').scrollIntoView({ block: 'center' })`,
      );
    });
    expect(shots.paths).toHaveLength(4);
    expect(shots.accessibility).toEqual([]);
    expect(shots.baseline).toEqual([]);
  });

  it('lets Tab move on while recording, and Clear turns it off', async () => {
    await field().click();
    await ui.page.keyboard.press('Tab');
    expect(await ui.page.evaluate('document.activeElement?.id')).not.toBe('setting-shortcut');
    expect(await field().textContent()).not.toContain('Press the keys');
    await ui.page.getByRole('button', { name: 'Clear the shortcut' }).click();
    await until(async () => (await saved()) === null, 'the shortcut cleared');
    expect(held.size).toBe(0);
    await until(
      async () => ((await field().textContent()) ?? '').includes('Not set'),
      'the field to say Not set',
    );
  });
});
