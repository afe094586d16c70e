import type { AccountConfig } from '../engine/accounts.ts';
import type { Engine } from '../engine/engine.ts';
import type { Interaction, MicrosoftAccount, MsalAuth, SignInOptions } from './msal-auth.ts';
import { microsoftGraphUrl } from '../graph/trusted-hosts.ts';
import { MsalTokenProvider, type MsalTokenProviderOptions } from './msal-token-provider.ts';

export interface MicrosoftAccountsOptions extends MsalTokenProviderOptions {
  /** Graph root; the simulator's in tests and demo mode. */
  graphUrl?: string;
}

/** The engine's calls that follow a sign-in or sign-out. */
export type AccountsOfEngine = Pick<
  Engine,
  'accounts' | 'addAccount' | 'signedIn' | 'removeAccount'
>;

/**
 * Signed-in Microsoft accounts as the engine sees them: one AccountConfig each (kind
 * 'microsoft', id = MSAL home account id), and the TokenProvider that serves them.
 */
export class MicrosoftAccounts {
  readonly auth: MsalAuth;
  readonly tokens: MsalTokenProvider;
  readonly #graphUrl: string;

  constructor(auth: MsalAuth, options: MicrosoftAccountsOptions = {}) {
    this.auth = auth;
    this.tokens = new MsalTokenProvider(auth, options);
    this.#graphUrl = options.graphUrl ?? microsoftGraphUrl;
  }

  configFor(account: MicrosoftAccount): AccountConfig {
    return { id: account.id, graphUrl: this.#graphUrl, label: account.username, kind: 'microsoft' };
  }

  async list(): Promise<AccountConfig[]> {
    return (await this.auth.accounts()).map((account) => this.configFor(account));
  }

  async signIn(interaction: Interaction, options: SignInOptions = {}): Promise<AccountConfig> {
    const account = await this.auth.signIn(interaction, options);
    this.tokens.forget(account.id);
    return this.configFor(account);
  }

  async signOut(accountId: string): Promise<boolean> {
    this.tokens.forget(accountId);
    const removed = await this.auth.signOut(accountId);
    // Again: a token fetched while the cache was being changed is not kept either.
    this.tokens.forget(accountId);
    return removed;
  }
}

/** After a sign-in: a new account joins the engine; a returning one's waiting jobs go on. */
export function applySignIn(engine: AccountsOfEngine, config: AccountConfig): void {
  if (!engine.accounts().some((account) => account.id === config.id)) engine.addAccount(config);
  engine.signedIn(config.id);
}

/** Signs out of one account: its tokens leave the cache, its jobs wait, the others go on. */
export async function signOutOf(
  engine: AccountsOfEngine,
  accounts: MicrosoftAccounts,
  accountId: string,
): Promise<boolean> {
  const removed = await accounts.signOut(accountId);
  await engine.removeAccount(accountId);
  return removed;
}
