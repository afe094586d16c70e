import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShortcutRegistrar, type GlobalShortcutLike } from '../../main/app/global-shortcut.ts';
import { harness, type Harness } from '../support/engine-harness.ts';

/** Electron's globalShortcut over an OS where other apps already hold some shortcuts. */
class FakeOs implements GlobalShortcutLike {
  readonly held = new Map<string, () => void>();
  readonly takenByOthers: readonly string[];
  constructor(takenByOthers: readonly string[] = []) {
    this.takenByOthers = takenByOthers;
  }

  register(accelerator: string, callback: () => void): boolean {
    if (accelerator === 'Nonsense+') throw new Error('conversion failure');
    if (this.takenByOthers.includes(accelerator) || this.held.has(accelerator)) return false;
    this.held.set(accelerator, callback);
    return true;
  }

  unregister(accelerator: string): void {
    this.held.delete(accelerator);
  }

  press(accelerator: string): void {
    this.held.get(accelerator)?.();
  }
}

describe('the global shortcut', () => {
  it('is claimed from the OS, moves when changed, and goes when cleared', () => {
    const os = new FakeOs();
    const pressed: string[] = [];
    const shortcuts = new ShortcutRegistrar(
      os,
      (accelerator) => pressed.push(accelerator),
      'linux',
    );
    expect(shortcuts.status()).toEqual({ state: 'off' });
    expect(shortcuts.apply('Control+Alt+T')).toEqual({
      state: 'active',
      accelerator: 'Control+Alt+T',
    });
    os.press('Control+Alt+T');
    expect(pressed).toEqual(['Control+Alt+T']);
    // The same again changes nothing (and is not refused as held by "another app").
    expect(shortcuts.apply('Control+Alt+T').state).toBe('active');
    expect(shortcuts.apply('Super+Shift+V')).toEqual({
      state: 'active',
      accelerator: 'Super+Shift+V',
    });
    expect([...os.held.keys()]).toEqual(['Super+Shift+V']);
    expect(shortcuts.apply(null)).toEqual({ state: 'off' });
    expect(os.held.size).toBe(0);
  });

  it('says in plain words when another app holds it, and keeps the one it had', () => {
    const os = new FakeOs(['Control+Alt+K']);
    const shortcuts = new ShortcutRegistrar(os, () => undefined, 'linux');
    shortcuts.apply('Control+Alt+T');
    expect(shortcuts.apply('Control+Alt+K')).toEqual({
      state: 'taken',
      accelerator: 'Control+Alt+K',
      message:
        'Ctrl+Alt+K is already used by another app or by the system, so taskdrop cannot have it. Choose another shortcut.',
    });
    expect(shortcuts.status()).toEqual({ state: 'active', accelerator: 'Control+Alt+T' });
    expect([...os.held.keys()]).toEqual(['Control+Alt+T']);
  });

  it('reports a saved shortcut another app took since, from the start', () => {
    const os = new FakeOs(['Alt+Space']);
    const shortcuts = new ShortcutRegistrar(os, () => undefined, 'darwin');
    shortcuts.apply('Alt+Space');
    expect(shortcuts.status()).toMatchObject({
      state: 'taken',
      accelerator: 'Alt+Space',
      message: expect.stringMatching(/^⌥Space is already used by another app/) as string,
    });
    expect(shortcuts.apply('Nonsense+').state).toBe('taken');
  });
});

describe('the global shortcut as a setting of the engine', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('saves one the OS gave, refuses one another app holds or every app needs, and says why', async () => {
    const os = new FakeOs(['Control+Alt+K']);
    const engine = h.open({ shortcut: new ShortcutRegistrar(os, () => undefined, 'linux') });
    expect(await engine.shortcutStatus()).toEqual({ state: 'off' });
    await engine.updateSettings({ globalShortcut: 'Control+Alt+T' });
    expect((await engine.getSettings()).globalShortcut).toBe('Control+Alt+T');
    expect(await engine.shortcutStatus()).toEqual({
      state: 'active',
      accelerator: 'Control+Alt+T',
    });
    await expect(engine.updateSettings({ globalShortcut: 'Control+Alt+K' })).rejects.toThrow(
      'Ctrl+Alt+K is already used by another app or by the system',
    );
    expect((await engine.getSettings()).globalShortcut).toBe('Control+Alt+T');
    expect([...os.held.keys()]).toEqual(['Control+Alt+T']);
    await expect(engine.updateSettings({ globalShortcut: 'Control+V' })).rejects.toThrow(
      'belongs to the apps you work in',
    );
    await engine.updateSettings({ globalShortcut: null });
    expect(os.held.size).toBe(0);
    await engine.close();
  });

  it('has no shortcut and no clipboard where no shell gives them (a browser, the CLI)', async () => {
    const engine = h.open();
    expect(await engine.shortcutStatus()).toMatchObject({ state: 'unavailable' });
    await expect(engine.readClipboard()).rejects.toThrow(
      'Only the taskdrop app reads the clipboard',
    );
    await engine.close();
  });
});
