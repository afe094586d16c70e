import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDoWebApp } from '../../preload/shared/contract.ts';
import { dispatchCommand } from '../../main/core/api/dispatch.ts';
import { IssuingTokenProvider } from '../../main/core/auth/token-provider.ts';
import { harness, settle, simAccountId, type Harness } from '../support/engine-harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

/** What the app's shell was asked to open (Electron's shell, recorded). */
function recordingDesktop(): { shown: string[]; opened: string[] } & {
  showItemInFolder(path: string): void;
  openExternal(url: string): Promise<void>;
} {
  const shown: string[] = [];
  const opened: string[] = [];
  return {
    shown,
    opened,
    showItemInFolder: (path) => void shown.push(path),
    openExternal: (url) => Promise.resolve(void opened.push(url)),
  };
}

describe('a finished file: Show in folder, Open Microsoft To Do', () => {
  it('shows the file where it still is, and says so plainly once it is gone', async () => {
    const desktop = recordingDesktop();
    const engine = h.open({ desktop });
    engine.start();
    expect((await engine.appInfo()).canOpenOnDesktop).toBe(true);
    const path = h.file('Attached scan.pdf', 2_000);
    const { accepted } = await engine.enqueue({ paths: [path], target: h.target });
    const [job] = await settle(engine, [accepted[0]!.id]);
    await engine.showInFolder(job!.id);
    expect(desktop.shown).toEqual([path]);

    rmSync(path);
    expect(await dispatchCommand(engine, 'showInFolder', [job!.id])).toEqual({
      ok: false,
      failure: {
        kind: 'invalid-request',
        message: `Attached scan.pdf is no longer at ${path}: it was moved or deleted since.`,
      },
    });
    // The demo account's tasks are not in Microsoft To Do.
    expect(await dispatchCommand(engine, 'openInToDo', [job!.id])).toMatchObject({
      ok: false,
      failure: { kind: 'not-available' },
    });
    expect(desktop.opened).toEqual([]);
    await engine.close();
  });

  it('opens To Do on the web for a real account, and nothing where there is no desktop', async () => {
    const desktop = recordingDesktop();
    const engine = h.open({
      desktop,
      accounts: [{ id: simAccountId, graphUrl: h.sim.graphUrl, label: 'Token', kind: 'token' }],
      tokens: new IssuingTokenProvider(() => h.sim.control.issueToken().accessToken),
    });
    const { accepted } = await engine.enqueue({
      paths: [h.file('Queued.pdf', 2_000)],
      target: h.target,
    });
    await engine.openInToDo(accepted[0]!.id);
    expect(desktop.opened).toEqual([toDoWebApp]);
    await engine.close();

    const browserOnly = h.open();
    expect((await browserOnly.appInfo()).canOpenOnDesktop).toBe(false);
    expect(await dispatchCommand(browserOnly, 'showInFolder', [accepted[0]!.id])).toMatchObject({
      ok: false,
      failure: { kind: 'not-available' },
    });
    await browserOnly.close();
  });
});
