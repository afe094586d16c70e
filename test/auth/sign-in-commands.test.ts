import { afterEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../preload/contract.ts';
import { dispatchCommand } from '../../main/core/api/dispatch.ts';
import { Engine } from '../../main/core/engine/engine.ts';
import { authRig, signInByBrowser, type AuthRig } from './support.ts';

let rig: AuthRig;
let engine: Engine | undefined;

afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await rig.close();
});

describe('signIn and signOut, the contract commands the UI calls', () => {
  it('signs in through the browser flow, adds the account, and signs out again', async () => {
    rig = await authRig();
    engine = Engine.open({
      dataDir: rig.dataDir,
      accounts: [],
      tokens: rig.accounts.tokens,
      signIn: {
        signIn: () => signInByBrowser(rig.accounts),
        signOut: async (accountId) => {
          await rig.accounts.signOut(accountId);
        },
      },
    });
    const announced: AccountView[][] = [];
    engine.on('accountsChanged', (accounts) => announced.push(accounts));
    const account = await engine.signIn();
    expect(account).toMatchObject({ kind: 'microsoft', signedIn: true });
    expect(account.label).toContain('@');
    expect(await engine.listAccounts()).toEqual([account]);
    expect(announced.at(-1)).toEqual([account]);
    expect((await engine.listTaskLists(account.id)).map((list) => list.displayName)).toContain(
      'Tasks',
    );

    await engine.signOut(account.id);
    expect(await engine.listAccounts()).toEqual([]);
    expect(await rig.accounts.auth.accounts()).toEqual([]);
    const again = await dispatchCommand(engine, 'signOut', [account.id]);
    expect(again).toEqual({
      ok: false,
      failure: { kind: 'unknown-account', message: expect.any(String) },
    });
    expect(await dispatchCommand(engine, 'signOut', [42])).toMatchObject({
      ok: false,
      failure: { kind: 'invalid-request' },
    });
  });

  it('explains that signing in needs a client ID when the shell has none (demo mode)', async () => {
    rig = await authRig();
    engine = Engine.open({
      dataDir: rig.dataDir,
      accounts: [{ id: 'demo', graphUrl: rig.sim.graphUrl, label: 'Demo account', kind: 'demo' }],
      tokens: rig.accounts.tokens,
    });
    expect(await dispatchCommand(engine, 'signIn', [])).toEqual({
      ok: false,
      failure: {
        kind: 'not-available',
        message: expect.stringContaining('needs a Microsoft app registration'),
      },
    });
    expect(await dispatchCommand(engine, 'signOut', ['demo'])).toEqual({
      ok: false,
      failure: {
        kind: 'not-available',
        message: 'Demo account is not a Microsoft sign-in, so there is nothing to sign out of.',
      },
    });
  });
});
