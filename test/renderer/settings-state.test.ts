import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskdropApi } from '../../preload/shared/contract.ts';
import type { Engine } from '../../main/core/engine/engine.ts';
import { SettingsState } from '../../renderer/lib/state/settings.svelte.ts';
import { harness, simAccountId, type Harness } from '../support/engine-harness.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * The account and settings view's state over a real engine: what it loads, a setting saved
 * the moment it changes (or refused at its field, the saved value kept), and diagnostics on
 * the clipboard or, where that is refused, kept to copy by hand.
 */
let h: Harness;
let engine: Engine;
let api: TaskdropApi;

beforeAll(async () => {
  h = await harness();
  engine = h.open();
  api = engine;
});

afterAll(async () => {
  await h.close();
});

async function started(copyText?: (text: string) => Promise<void>): Promise<SettingsState> {
  const state = new SettingsState(api, copyText);
  state.start();
  await waitUntil(() => state.settings !== null && state.info !== null, 'the settings to load');
  return state;
}

describe('SettingsState, over the engine', () => {
  it('loads the app, its account and the settings: an account, so no first run', async () => {
    const state = await started();
    expect(state.accounts.map((account) => account.id)).toEqual([simAccountId]);
    expect(state.needsAccount).toBe(false);
    expect(state.settings).toEqual(await engine.getSettings());
    expect(state.loadError).toBe('');
  });

  it('saves a setting at once, says so, and another window hears of it', async () => {
    const state = await started();
    const other = await started();
    expect(await state.update('maxConcurrentUploads', 2)).toBe(true);
    expect(state.saved).toBe('maxConcurrentUploads');
    expect(state.errors.maxConcurrentUploads).toBeUndefined();
    expect((await engine.getSettings()).maxConcurrentUploads).toBe(2);
    await waitUntil(
      () => other.settings?.maxConcurrentUploads === 2,
      'the other window to hear of the change',
    );
  });

  it('refuses a value out of bounds at its field, sending nothing, and keeps what was saved', async () => {
    const state = await started();
    const before = await engine.getSettings();
    expect(await state.update('uploadBudgetMb', 151)).toBe(false);
    expect(state.errors.uploadBudgetMb).toBe('Enter a whole number from 10 to 150.');
    expect(await state.update('maxConcurrentUploads', 2.5)).toBe(false);
    expect(state.errors.maxConcurrentUploads).toBe('Enter a whole number from 1 to 4.');
    expect(await engine.getSettings()).toEqual(before);
    expect(state.settings).toEqual(before);
    // A good value clears its field's problem.
    expect(await state.update('uploadBudgetMb', 100)).toBe(true);
    expect(state.errors.uploadBudgetMb).toBeUndefined();
  });

  it('puts the diagnostics on the clipboard, or keeps them to copy by hand when refused', async () => {
    const copied: string[] = [];
    const state = await started((text) => {
      copied.push(text);
      return Promise.resolve();
    });
    await state.copyDiagnostics();
    expect(state.diagnostics).toEqual({ kind: 'copied' });
    expect(copied).toHaveLength(1);
    expect(copied[0]).toContain(`taskdrop: ${state.info!.version}`);

    const refusing = await started(() => Promise.reject(new Error('not allowed')));
    await refusing.copyDiagnostics();
    // The same report (taken a moment later), kept for the person to select.
    const kept = refusing.diagnostics;
    expect(kept.kind).toBe('manual');
    const withoutTime = (text: string): string => text.replace(/^taskdrop diagnostics, .*\n/, '');
    expect(kept.kind === 'manual' ? withoutTime(kept.text) : null).toBe(withoutTime(copied[0]!));
  });

  it('shows why the account could not change, in the engine’s words', async () => {
    const state = await started();
    // Signing in needs an interactive sign-in, which a token-less engine has not.
    expect(await state.signIn()).toBe(false);
    expect(state.accountError).not.toBe('');
    expect(state.signingIn).toBe(false);
    expect(state.accounts.map((account) => account.id)).toEqual([simAccountId]);
  });
});
