import { afterEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../preload/shared/contract.ts';
import { dispatchCommand } from '../../main/core/api/dispatch.ts';
import { IssuingTokenProvider } from '../../main/core/auth/token-provider.ts';
import { failureOf } from '../../main/core/api/dispatch.ts';
import { Engine, type EngineOptions } from '../../main/core/engine/engine.ts';
import { GraphError } from '../../main/core/graph/errors.ts';
import { authRig, signInByBrowser, type AuthRig } from './support.ts';

let rig: AuthRig;
let engine: Engine | undefined;

afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await rig.close();
});

/** An engine with no account yet, over the rig's MSAL tokens. */
function firstRun(options: Partial<EngineOptions>): Engine {
  return Engine.open({
    dataDir: rig.dataDir,
    accounts: [],
    tokens: rig.accounts.tokens,
    ...options,
  });
}

describe('signIn and signOut, the contract commands the UI calls', () => {
  it('signs in through the browser flow, adds the account, and signs out again', async () => {
    rig = await authRig();
    engine = firstRun({
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

  it("tells the person why a sign-in did not complete, in the sign-in code's own words", async () => {
    rig = await authRig();
    engine = firstRun({
      signIn: {
        signIn: () =>
          rig.accounts.signIn({
            kind: 'browser',
            openBrowser: () => Promise.reject(new Error('no display')),
          }),
        signOut: () => Promise.resolve(),
      },
    });
    expect(await dispatchCommand(engine, 'signIn', [])).toEqual({
      ok: false,
      failure: { kind: 'failed', message: 'Could not open a browser to sign in (no display).' },
    });
  });

  it('answers a Graph failure in plain words, never its codes or the generic message', async () => {
    rig = await authRig();
    const refused = new GraphError({
      kind: 'permanent',
      message: 'Graph answered 403 ErrorAccessDenied for createTask',
      operation: 'createTask',
      status: 403,
      code: 'ErrorAccessDenied',
      requestId: 'r-1',
      clientRequestId: null,
      retryAfterMs: null,
      ambiguous: false,
    });
    const result = failureOf(refused);
    expect(result.ok).toBe(false);
    const message = result.ok ? '' : result.failure.message;
    expect(message).toMatch(/^Microsoft To Do refused that\./);
    expect(message).not.toMatch(/403|ErrorAccessDenied|inside taskdrop/);
  });

  it('offers demo mode where there is no account yet, and starts its one account once', async () => {
    rig = await authRig();
    let starts = 0;
    engine = firstRun({
      demo: () => {
        starts += 1;
        return Promise.resolve({
          account: { id: 'demo', graphUrl: rig.sim.graphUrl, label: 'Demo account', kind: 'demo' },
          tokens: new IssuingTokenProvider(() => rig.sim.control.issueToken().accessToken),
        });
      },
    });
    expect(await engine.appInfo()).toMatchObject({ canTryDemo: true, canSignIn: false });
    const announced: AccountView[][] = [];
    engine.on('accountsChanged', (accounts) => announced.push(accounts));
    const [first, second] = await Promise.all([
      dispatchCommand(engine, 'tryDemo', []),
      dispatchCommand(engine, 'tryDemo', []),
    ]);
    const demo = { id: 'demo', label: 'Demo account', kind: 'demo', signedIn: true };
    expect(first).toEqual({ ok: true, value: demo });
    expect(second).toEqual(first);
    expect(starts).toBe(1);
    expect(announced).toEqual([[demo]]);
    // Its tokens are the simulator's own: the lists load.
    expect((await engine.listTaskLists('demo')).map((list) => list.displayName)).toContain('Tasks');
  });
});
