import type {
  AccountCommands,
  AccountView,
  PickerCommands,
} from '../../../preload/shared/contract.ts';
import type { TokenProvider } from '../auth/token-provider.ts';
import type { TaskCatalog } from '../catalog/task-catalog.ts';
import type { Logger } from '../logging/logger.ts';
import type { JobStore } from '../queue/job-store.ts';
import type { AccountConfig, Accounts } from './accounts.ts';
import { accountFields } from './engine-log.ts';
import { EngineRequestError, type InteractiveSignIn, type StartDemo } from './engine-types.ts';
import type { Scheduler } from './scheduler.ts';

/** The contract's account commands, and accounts the engine's owner adds and removes. */
export interface AccountService extends AccountCommands, Pick<PickerCommands, 'listAccounts'> {
  /** An account signed in while running; its queued jobs can run. */
  addAccount(config: AccountConfig, tokens?: TokenProvider): void;
  /** Signed out: its jobs wait (needs-sign-in) until it is back; the others go on. */
  removeAccount(accountId: string): Promise<void>;
  /** After the person signed in again: the account's waiting jobs continue. */
  signedIn(accountId: string): void;
}

export interface AccountServiceDeps {
  accounts: Accounts;
  scheduler: Pick<Scheduler, 'isRunning' | 'stop' | 'pump' | 'resumeAccount'>;
  store: Pick<JobStore, 'idsOfAccount'>;
  catalog: Pick<TaskCatalog, 'forget'>;
  signIn: InteractiveSignIn | undefined;
  demo: StartDemo | undefined;
  log: Logger;
}

export class AccountCommandService implements AccountService {
  readonly #deps: AccountServiceDeps;
  #demoStarting: Promise<string> | undefined;

  constructor(deps: AccountServiceDeps) {
    this.#deps = deps;
  }

  listAccounts(): Promise<AccountView[]> {
    return Promise.resolve(this.#deps.accounts.views());
  }

  addAccount(config: AccountConfig, tokens?: TokenProvider): void {
    this.#deps.log.info('account added', accountFields(config));
    this.#deps.accounts.add(config, tokens);
    this.#deps.scheduler.pump();
  }

  async removeAccount(accountId: string): Promise<void> {
    const { accounts, catalog, store, scheduler, log } = this.#deps;
    log.info('account removed', { account: accountId });
    // Gone first: a stopped upload goes back to waiting, and the scheduler must not restart it.
    accounts.delete(accountId);
    catalog.forget(accountId);
    const running = store
      .idsOfAccount(accountId, ['uploading'])
      .filter((id) => scheduler.isRunning(id));
    await Promise.all(running.map((id) => scheduler.stop(id, 'shutdown')));
    scheduler.pump();
  }

  signedIn(accountId: string): void {
    this.#deps.accounts.get(accountId);
    this.#deps.accounts.signInBack(accountId);
    this.#deps.scheduler.resumeAccount(accountId);
  }

  async signIn(): Promise<AccountView> {
    const { signIn: service, accounts, log } = this.#deps;
    if (service === undefined) {
      throw new EngineRequestError(
        'not-available',
        'Signing in needs a Microsoft app registration (a client ID): see “Sign in with Microsoft” in the README. Until then taskdrop runs in demo mode.',
      );
    }
    let config: AccountConfig;
    try {
      config = await service.signIn();
    } catch (error) {
      log.warn('sign-in did not complete', { error });
      throw error;
    }
    log.info('signed in', accountFields(config));
    if (!accounts.has(config.id)) this.addAccount(config, service.tokens);
    this.signedIn(config.id);
    return accounts.view(config.id);
  }

  async signOut(accountId: string): Promise<void> {
    const account = this.#deps.accounts.get(accountId);
    const service = this.#deps.signIn;
    if (service === undefined || account.config.kind !== 'microsoft') {
      throw new EngineRequestError(
        'not-available',
        `${account.config.label} is not a Microsoft sign-in, so there is nothing to sign out of.`,
      );
    }
    await service.signOut(accountId);
    this.#deps.log.info('signed out', accountFields(account.config));
    await this.removeAccount(accountId);
  }

  async tryDemo(): Promise<AccountView> {
    const { accounts, demo: start } = this.#deps;
    const existing = accounts.demo();
    if (existing !== undefined) return accounts.view(existing.config.id);
    if (start === undefined) {
      throw new EngineRequestError('not-available', 'Demo mode is not available here.');
    }
    // Two clicks start one simulator.
    this.#demoStarting ??= start().then(({ account, tokens }) => {
      this.addAccount(account, tokens);
      return account.id;
    });
    try {
      return accounts.view(await this.#demoStarting);
    } finally {
      this.#demoStarting = undefined;
    }
  }
}
