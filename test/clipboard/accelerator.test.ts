import { describe, expect, it } from 'vitest';
import {
  acceleratorOfPress,
  describeAccelerator,
  describeHeld,
  desktopPlatformOf,
  normalizeShortcut,
  parseAccelerator,
  platformOfUserAgent,
  shortcutProblem,
  type KeyPress,
} from '../../preload/shared/accelerator.ts';

const press = (code: string, held: Partial<Omit<KeyPress, 'code'>> = {}): KeyPress => ({
  code,
  ctrlKey: false,
  altKey: false,
  shiftKey: false,
  metaKey: false,
  ...held,
});

describe('accelerators', () => {
  it('reads Electron’s spellings into one canonical form, modifiers in a fixed order', () => {
    expect(parseAccelerator('shift+ctrl+t', 'linux')).toEqual({
      modifiers: ['Control', 'Shift'],
      key: 'T',
    });
    expect(parseAccelerator('CmdOrCtrl+Alt+Space', 'darwin')).toEqual({
      modifiers: ['Command', 'Alt'],
      key: 'Space',
    });
    expect(parseAccelerator('CommandOrControl+Option+f12', 'win32')).toEqual({
      modifiers: ['Control', 'Alt'],
      key: 'F12',
    });
    expect(parseAccelerator('Super+Return', 'linux')).toEqual({
      modifiers: ['Super'],
      key: 'Enter',
    });
    expect(parseAccelerator('Control+Plus', 'linux')?.key).toBe('Plus');
    expect(parseAccelerator('Alt+num5', 'linux')?.key).toBe('num5');
    expect(normalizeShortcut('alt+ctrl+shift+2', 'linux')).toBe('Control+Alt+Shift+2');
  });

  it('refuses what is not an accelerator', () => {
    for (const text of [
      '',
      'Control+',
      'Control++',
      'Ctrl+Ctrl+T',
      'Hyper+T',
      'Control+F25',
      'T+Control',
    ]) {
      expect(parseAccelerator(text, 'linux'), text).toBeNull();
      expect(shortcutProblem(text, 'linux'), text).toContain('is not a key combination');
    }
  });

  it('keeps typing and every app’s own shortcuts out of a global shortcut, in plain words', () => {
    expect(shortcutProblem('T', 'linux')).toBe(
      'T would take that key from every app: add Ctrl or Alt.',
    );
    expect(shortcutProblem('Shift+T', 'win32')).toBe(
      'Shift+T would take that key from every app: add Ctrl or Alt.',
    );
    expect(shortcutProblem('Control+V', 'linux')).toBe(
      'Ctrl+V belongs to the apps you work in: add Alt or Shift.',
    );
    expect(shortcutProblem('Command+S', 'darwin')).toBe(
      '⌘S belongs to the apps you work in: add ⌥ or ⇧.',
    );
    // Allowed: another modifier beside Ctrl/⌘, Alt alone, the Windows key, a key no app types.
    for (const text of [
      'Control+Alt+T',
      'Control+Shift+V',
      'Alt+Space',
      'Super+T',
      'F13',
      'Control+F5',
    ]) {
      expect(shortcutProblem(text, 'linux'), text).toBeNull();
    }
    // Control alone is not the app key on macOS (⌘ is): ⌃T is free there.
    expect(shortcutProblem('Control+T', 'darwin')).toBeNull();
    expect(normalizeShortcut('Control+V', 'linux')).toBeNull();
  });

  it('shows a shortcut in the OS’s words', () => {
    expect(describeAccelerator('Control+Alt+T', 'linux')).toBe('Ctrl+Alt+T');
    expect(describeAccelerator('Control+Alt+T', 'win32')).toBe('Ctrl+Alt+T');
    expect(describeAccelerator('Super+Shift+Up', 'win32')).toBe('Shift+Win+Up');
    expect(describeAccelerator('Super+Shift+Up', 'linux')).toBe('Shift+Super+Up');
    // Apple's order ⌃⌥⇧⌘, whatever the order written.
    expect(describeAccelerator('Command+Shift+Alt+Control+T', 'darwin')).toBe('⌃⌥⇧⌘T');
    expect(describeAccelerator('Command+Enter', 'darwin')).toBe('⌘↩');
    expect(describeAccelerator('Alt+num7', 'linux')).toBe('Alt+Num 7');
  });

  it('records a press by where the key is, not what Shift or the layout makes of it', () => {
    expect(acceleratorOfPress(press('KeyT', { ctrlKey: true, altKey: true }), 'linux')).toBe(
      'Control+Alt+T',
    );
    // Shift+2 types "@" (or "\"" on a German layout): the key is still 2.
    expect(acceleratorOfPress(press('Digit2', { metaKey: true, shiftKey: true }), 'darwin')).toBe(
      'Command+Shift+2',
    );
    expect(acceleratorOfPress(press('KeyK', { metaKey: true }), 'linux')).toBe('Super+K');
    expect(acceleratorOfPress(press('ArrowLeft', { altKey: true }), 'win32')).toBe('Alt+Left');
    expect(acceleratorOfPress(press('Slash', { ctrlKey: true, shiftKey: true }), 'linux')).toBe(
      'Control+Shift+/',
    );
    expect(acceleratorOfPress(press('Numpad4', { ctrlKey: true }), 'linux')).toBe('Control+num4');
    expect(acceleratorOfPress(press('F9', { altKey: true }), 'linux')).toBe('Alt+F9');
    expect(acceleratorOfPress(press('ControlLeft', { ctrlKey: true }), 'linux')).toBeNull();
    expect(acceleratorOfPress(press('ShiftRight', { shiftKey: true }), 'linux')).toBeNull();
    expect(describeHeld(press('AltLeft', { ctrlKey: true, altKey: true }), 'linux')).toBe(
      'Ctrl+Alt+…',
    );
    expect(describeHeld(press('MetaLeft', { metaKey: true, shiftKey: true }), 'darwin')).toBe(
      '⇧⌘…',
    );
    expect(describeHeld(press('KeyA'), 'linux')).toBe('');
  });

  it('knows the OS from a user agent and from Node’s platform', () => {
    expect(
      platformOfUserAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36'),
    ).toBe('darwin');
    expect(platformOfUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64)')).toBe('win32');
    expect(platformOfUserAgent('Mozilla/5.0 (X11; Linux x86_64)')).toBe('linux');
    expect(desktopPlatformOf('darwin')).toBe('darwin');
    expect(desktopPlatformOf('freebsd')).toBe('linux');
  });
});
