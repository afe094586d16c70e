import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumPath } from '../support/browser.ts';
import { appUnderTest, callBridge, launchApp, nextBridgeEvent } from '../support/electron-app.ts';

/**
 * The Electron suite's own machinery, where Electron cannot run: which app it tests, and its
 * packaged-app launcher driving a Chromium (the shell Electron wraps) over its DevTools port.
 */
const dir = mkdtempSync(join(tmpdir(), 'taskdrop-harness-'));
// Retries: Windows may hold a just-closed browser's files a moment longer.
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));

describe('the Electron suite’s harness', () => {
  it('tests the packaged app it is pointed at, and says why when there is none', () => {
    expect(appUnderTest({ TASKDROP_E2E_PACKAGED: '/opt/taskdrop/taskdrop' })).toEqual({
      kind: 'packaged',
      executable: '/opt/taskdrop/taskdrop',
    });
    expect(appUnderTest({ TASKDROP_E2E_PACKAGED: '/tmp/out/mac/taskdrop.app' })).toEqual({
      kind: 'packaged',
      executable: join('/tmp/out/mac/taskdrop.app', 'Contents', 'MacOS', 'taskdrop'),
    });
    const unbuilt = appUnderTest({ TASKDROP_E2E_PACKAGED: 'out/dist' });
    // Unless `npm run dist` ran in this checkout, out/dist holds no app.
    if (unbuilt.kind === 'missing') expect(unbuilt.why).toMatch(/npm run dist/);
    expect(['unpackaged', 'missing']).toContain(appUnderTest({}).kind);
  });

  it('starts an app with a DevTools port, drives its page and its bridge, and stops it', async () => {
    const running = await launchApp(
      { kind: 'packaged', executable: chromiumPath },
      {
        args: ['--headless', `--user-data-dir=${join(dir, 'profile')}`, 'about:blank'],
        env: { ...(process.env as Record<string, string>) },
      },
    );
    try {
      expect(running.electron).toBeNull();
      // A bridge of the page's own, as the preload would expose it.
      await running.page.evaluate(() => {
        const listeners: ((payload: unknown) => void)[] = [];
        (globalThis as Record<string, unknown>)['taskdrop'] = {
          appInfo: () => Promise.resolve({ transport: 'electron' }),
          listTaskLists: (accountId: string) => Promise.resolve([{ accountId }]),
          on: (_event: string, listener: (payload: unknown) => void) => {
            listeners.push(listener);
            return () => listeners.splice(listeners.indexOf(listener), 1);
          },
          fire: (payload: unknown) => {
            for (const listener of [...listeners]) listener(payload);
          },
        };
      });
      expect(await callBridge(running.page, 'appInfo')).toEqual({ transport: 'electron' });
      expect(await callBridge(running.page, 'listTaskLists', 'a1')).toEqual([{ accountId: 'a1' }]);
      await expect(callBridge(running.page, 'summary')).rejects.toThrow(/no summary/);
      const next = await nextBridgeEvent(running.page, 'targetRequested', 5_000);
      await running.page.evaluate(() => {
        const bridge = (globalThis as Record<string, unknown>)['taskdrop'] as {
          fire: (payload: unknown) => void;
        };
        bridge.fire({ paths: ['/tmp/a.pdf'], suggested: null });
      });
      expect(await next()).toEqual({ paths: ['/tmp/a.pdf'], suggested: null });
      const never = await nextBridgeEvent(running.page, 'jobFocusRequested', 200);
      await expect(never()).rejects.toThrow(/within 200 ms/);
    } finally {
      await running.close();
    }
  }, 60_000);
});
