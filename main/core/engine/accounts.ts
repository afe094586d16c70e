import type { AccountView } from '../../../preload/shared/contract.ts';
import type { TokenProvider } from '../auth/token-provider.ts';
import { assertTrustedGraphUrl } from '../graph/trusted-hosts.ts';
import { GraphClient } from '../graph/client.ts';
import { GraphTransport } from '../graph/transport.ts';
import { AccountPacer, type PacingLimits } from '../pacing/account-pacer.ts';
import { pacerAdmission } from '../pacing/pacer-admission.ts';
import { EngineRequestError } from './engine-types.ts';

export interface AccountConfig {
  id: string;
  /** Graph root with version: https://graph.microsoft.com/v1.0, or the simulator's. */
  graphUrl: string;
  /** Who it is, for people: an email address, "Demo account"... */
  label: string;
  kind: AccountView['kind'];
}

/** One account as the engine runs it: its paced Graph client. */
export interface AccountRuntime {
  config: AccountConfig;
  pacer: AccountPacer;
  graph: GraphClient;
  /** The same account's requests, paced alike, answered unparsed (the connection check). */
  transport: GraphTransport;
}

/**
 * The accounts the engine runs and whether each must sign in again. This is the one owner of
 * both: every change goes through it, and it publishes each one (accountsChanged).
 */
export interface Accounts {
  has(accountId: string): boolean;
  find(accountId: string): AccountRuntime | undefined;
  /** The account, or an unknown-account refusal for the person. */
  get(accountId: string): AccountRuntime;
  configs(): AccountConfig[];
  views(): AccountView[];
  view(accountId: string): AccountView;
  /** The demo account, when one runs. */
  demo(): AccountRuntime | undefined;
  add(config: AccountConfig, tokens?: TokenProvider): void;
  delete(accountId: string): void;
  needsSignIn(accountId: string): boolean;
  /** Graph refused the account's refreshed token (docs/upload-rules.md rule 5): it must sign in. */
  signInLost(accountId: string): void;
  /** Signed in again. */
  signInBack(accountId: string): void;
  /** New caps for every account's pacing (the settings changed). */
  setLimits(limits: PacingLimits): void;
}

export interface AccountRegistryDeps {
  initial: readonly AccountConfig[];
  /** The tokens of accounts added without their own. */
  tokens: TokenProvider;
  limits: () => PacingLimits;
  fetch: typeof fetch;
  now: () => number;
  /** Every change, as the contract's views (the engine emits accountsChanged). */
  published: (views: AccountView[]) => void;
}

export class AccountRegistry implements Accounts {
  readonly #deps: AccountRegistryDeps;
  readonly #accounts = new Map<string, AccountRuntime>();
  readonly #needSignIn = new Set<string>();

  constructor(deps: AccountRegistryDeps) {
    this.#deps = deps;
    for (const config of deps.initial) this.#register(config, deps.tokens);
  }

  has(accountId: string): boolean {
    return this.#accounts.has(accountId);
  }

  find(accountId: string): AccountRuntime | undefined {
    return this.#accounts.get(accountId);
  }

  get(accountId: string): AccountRuntime {
    const account = this.#accounts.get(accountId);
    if (account === undefined) {
      throw new EngineRequestError('unknown-account', `No account "${accountId}" is signed in.`);
    }
    return account;
  }

  configs(): AccountConfig[] {
    return [...this.#accounts.values()].map((account) => account.config);
  }

  views(): AccountView[] {
    return this.configs().map((config) => this.#viewOf(config));
  }

  view(accountId: string): AccountView {
    return this.#viewOf(this.get(accountId).config);
  }

  demo(): AccountRuntime | undefined {
    return [...this.#accounts.values()].find(({ config }) => config.kind === 'demo');
  }

  add(config: AccountConfig, tokens: TokenProvider = this.#deps.tokens): void {
    this.#register(config, tokens);
    this.#publish();
  }

  delete(accountId: string): void {
    this.#accounts.delete(accountId);
    this.#needSignIn.delete(accountId);
    this.#publish();
  }

  needsSignIn(accountId: string): boolean {
    return this.#needSignIn.has(accountId);
  }

  signInLost(accountId: string): void {
    if (!this.#accounts.has(accountId) || this.#needSignIn.has(accountId)) return;
    this.#needSignIn.add(accountId);
    this.#publish();
  }

  signInBack(accountId: string): void {
    if (this.#needSignIn.delete(accountId)) this.#publish();
  }

  setLimits(limits: PacingLimits): void {
    for (const account of this.#accounts.values()) account.pacer.setLimits(limits);
  }

  /** A new runtime, signed in: an account added again starts afresh. */
  #register(config: AccountConfig, tokens: TokenProvider): void {
    this.#needSignIn.delete(config.id);
    this.#accounts.set(
      config.id,
      createAccountRuntime(config, {
        tokens,
        limits: this.#deps.limits(),
        fetch: this.#deps.fetch,
        now: this.#deps.now,
      }),
    );
  }

  #viewOf({ id, label, kind }: AccountConfig): AccountView {
    return { id, label, kind, signedIn: !this.#needSignIn.has(id) };
  }

  #publish(): void {
    this.#deps.published(this.views());
  }
}

/** A probe's request is a few bytes: a minute without an answer is a failure to report. */
const probeTimeoutMs = 60_000;

export function createAccountRuntime(
  config: AccountConfig,
  deps: { tokens: TokenProvider; limits: PacingLimits; fetch: typeof fetch; now: () => number },
): AccountRuntime {
  // Every shell's accounts come through here: no token leaves for a host it must not reach.
  assertTrustedGraphUrl(config.graphUrl);
  const pacer = new AccountPacer(deps.limits, deps.now);
  const requests = {
    graphUrl: config.graphUrl,
    getAccessToken: (options: { forceRefresh: boolean }) =>
      deps.tokens.getAccessToken(config.id, options),
    fetch: deps.fetch,
    admission: pacerAdmission(pacer, deps.now),
    now: deps.now,
  };
  const graph = new GraphClient(requests);
  const transport = new GraphTransport({ ...requests, requestTimeoutMs: probeTimeoutMs });
  return { config, pacer, graph, transport };
}
