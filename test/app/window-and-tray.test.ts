import { describe, expect, it } from 'vitest';
import type { QueueSummary } from '../../preload/shared/contract.ts';
import { drawTrayIcon, trayColours, trayIconStyleFor } from '../../main/app/tray-icon.ts';
import { trayMenu, trayStateOf, trayTooltip } from '../../main/app/tray-model.ts';
import {
  hardenContents,
  secureWebPreferences,
  type HardenableContents,
} from '../../main/app/window-security.ts';

const pageUrl = 'app://taskdrop/index.html';

describe('the window factory', () => {
  it('asks for every option of Electron’s security checklist', () => {
    expect(secureWebPreferences('/app/dist/preload/preload.cjs')).toEqual({
      preload: '/app/dist/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    });
  });

  it('refuses navigation away, new windows and every permission but writing the clipboard', () => {
    const listeners = new Map<string, (event: { preventDefault(): void }, url: string) => void>();
    let openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
    let permission:
      | ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void)
      | undefined;
    let check: ((contents: unknown, permission: string) => boolean) | undefined;
    const contents: HardenableContents = {
      on: (event, listener) => listeners.set(event, listener),
      setWindowOpenHandler: (handler) => (openHandler = handler),
      session: {
        setPermissionRequestHandler: (handler) => (permission = handler),
        setPermissionCheckHandler: (handler) => (check = handler),
      },
    };
    hardenContents(contents, pageUrl);
    const navigate = (url: string): boolean => {
      let prevented = false;
      listeners.get('will-navigate')?.({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate(`${pageUrl}#/settings`)).toBe(false);
    expect(listeners.has('will-redirect')).toBe(true);
    expect(openHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const granted: boolean[] = [];
    permission?.({}, 'media', (value) => granted.push(value));
    permission?.({}, 'notifications', (value) => granted.push(value));
    permission?.({}, 'clipboard-read', (value) => granted.push(value));
    permission?.({}, 'clipboard-sanitized-write', (value) => granted.push(value));
    expect(granted).toEqual([false, false, false, true]);
    expect(check?.({}, 'media')).toBe(false);
    expect(check?.({}, 'clipboard-read')).toBe(false);
    expect(check?.({}, 'clipboard-sanitized-write')).toBe(true);
  });
});

function summary(byState: Partial<QueueSummary['byState']>, overallPercent = 0): QueueSummary {
  const full = {
    waiting: 0,
    uploading: 0,
    retrying: 0,
    paused: 0,
    'needs-sign-in': 0,
    done: 0,
    failed: 0,
    cancelled: 0,
    ...byState,
  };
  return { total: Object.values(full).reduce((a, b) => a + b, 0), byState: full, overallPercent };
}

describe('the tray', () => {
  it('shows trouble first, then progress, then pause, then idle', () => {
    expect(trayStateOf(summary({ uploading: 2, failed: 1 }))).toEqual({
      kind: 'attention',
      failed: 1,
      signIn: 0,
    });
    expect(trayStateOf(summary({ uploading: 2, waiting: 3 }, 42))).toEqual({
      kind: 'uploading',
      percent: 42,
      active: 2,
      waiting: 3,
    });
    expect(trayStateOf(summary({ paused: 4, done: 2 }))).toEqual({ kind: 'paused', paused: 4 });
    expect(trayStateOf(summary({ done: 5 }))).toEqual({ kind: 'idle', done: 5 });
    expect(trayTooltip({ kind: 'uploading', percent: 42, active: 2, waiting: 3 }, true)).toBe(
      'taskdrop (demo) — uploading 5 files, 42%',
    );
    expect(trayTooltip({ kind: 'attention', failed: 1, signIn: 2 }, false)).toBe(
      'taskdrop — 1 file failed, sign-in needed',
    );
  });

  it('offers the tray menu the state calls for: open, resume all, send to, account, quit', () => {
    const menu = trayMenu({
      state: { kind: 'paused', paused: 2 },
      recentTargets: [
        { accountId: 'a', listId: 'l', taskId: 't', listName: 'Work', taskTitle: 'Report' },
      ],
      signedIn: true,
      canSignIn: true,
      startAtLogin: false,
      clipboardAttachable: true,
    });
    expect(menu.map((item) => (item.type === 'separator' ? '—' : item.label))).toEqual([
      'Open queue',
      'Resume all',
      'Send files to…',
      'Attach clipboard to “Report”',
      '—',
      'Sign out',
      'Start at login',
      '—',
      'Quit taskdrop',
    ]);
    expect(menu[2]).toEqual({
      type: 'submenu',
      label: 'Send files to…',
      items: [{ type: 'action', id: 'recent:0', label: 'Report — Work' }],
    });
    expect(menu[3]).toEqual({
      type: 'action',
      id: 'attach-clipboard',
      label: 'Attach clipboard to “Report”',
    });
  });

  it('offers the clipboard to the last task only when there are both, and says which is missing', () => {
    const base = {
      state: { kind: 'idle', done: 0 } as const,
      signedIn: true,
      canSignIn: true,
      startAtLogin: false,
    };
    const report = {
      accountId: 'a',
      listId: 'l',
      taskId: 't',
      listName: 'Work',
      taskTitle: 'Report',
    };
    const attachItem = (menu: ReturnType<typeof trayMenu>) =>
      menu.find((item) => item.type === 'action' && item.id === 'attach-clipboard');
    expect(
      attachItem(trayMenu({ ...base, recentTargets: [report], clipboardAttachable: false })),
    ).toEqual({
      type: 'action',
      id: 'attach-clipboard',
      label: 'Attach clipboard to “Report” (nothing to attach)',
      enabled: false,
    });
    expect(attachItem(trayMenu({ ...base, recentTargets: [], clipboardAttachable: true }))).toEqual(
      {
        type: 'action',
        id: 'attach-clipboard',
        label: 'Attach clipboard (no task used yet)',
        enabled: false,
      },
    );
    const long = {
      ...report,
      taskTitle: 'Expense claim for the conference trip to Lisbon in May 2026',
    };
    const label = attachItem(
      trayMenu({ ...base, recentTargets: [long], clipboardAttachable: true }),
    );
    expect(label).toEqual({
      type: 'action',
      id: 'attach-clipboard',
      label: 'Attach clipboard to “Expense claim for the conference trip t…”',
    });
  });

  it('draws the progress as a ring that fills clockwise', () => {
    const icon = drawTrayIcon({ kind: 'uploading', percent: 25, active: 1, waiting: 0 }, 32);
    expect(icon.pixels.length).toBe(32 * 32 * 4);
    const alphaAt = (x: number, y: number): number => icon.pixels[(y * 32 + x) * 4 + 3] ?? -1;
    expect(alphaAt(25, 6)).toBe(255); // 45°, on the ring: within the first quarter
    expect(alphaAt(6, 25)).toBe(70); // 225°, on the ring: not reached yet
    expect(alphaAt(16, 16)).toBe(0); // the middle is clear
    const attention = drawTrayIcon({ kind: 'attention', failed: 1, signIn: 0 }, 32);
    expect(attention.pixels[(16 * 32 + 16) * 4 + 3]).toBe(255);
  });

  it('reads on light and dark trays alike: every state colour 3:1 against black and white', () => {
    const channel = (value: number): number => {
      const v = value / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    for (const [r, g, b] of Object.values(trayColours)) {
      const luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
      expect((luminance + 0.05) / 0.05).toBeGreaterThanOrEqual(3);
      expect(1.05 / (luminance + 0.05)).toBeGreaterThanOrEqual(3);
    }
  });

  it('draws macOS template images: the same shapes, in black and alpha only', () => {
    expect(trayIconStyleFor('darwin')).toBe('template');
    expect(trayIconStyleFor('win32')).toBe('colour');
    expect(trayIconStyleFor('linux')).toBe('colour');
    const states = [
      { kind: 'idle', done: 0 },
      { kind: 'uploading', percent: 60, active: 1, waiting: 2 },
      { kind: 'paused', paused: 1 },
      { kind: 'attention', failed: 1, signIn: 0 },
    ] as const;
    const masks = states.map((state) => {
      const colour = drawTrayIcon(state, 32).pixels;
      const template = drawTrayIcon(state, 32, 'template').pixels;
      for (let offset = 0; offset < template.length; offset += 4) {
        expect([...template.subarray(offset, offset + 3)]).toEqual([0, 0, 0]);
        expect(template[offset + 3]).toBe(colour[offset + 3]);
      }
      return template.filter((_, index) => index % 4 === 3).join(',');
    });
    // Without colour, the shapes alone must tell the four states apart.
    expect(new Set(masks).size).toBe(states.length);
  });
});
