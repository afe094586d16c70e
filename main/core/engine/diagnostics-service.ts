import { arch, homedir, release } from 'node:os';
import packageJson from '../../../package.json' with { type: 'json' };
import type {
  AccountView,
  AppInfo,
  ConnectionReport,
  QueueSummary,
  Settings,
  SettingsCommands,
  TokenStorage,
  WatchedFolderView,
} from '../../../preload/shared/contract.ts';
import { probeService, type LearnedFacts } from '../doctor/service-probe.ts';
import { ScratchLedger } from '../doctor/scratch-ledger.ts';
import { diagnosticsReport } from '../logging/diagnostics.ts';
import type { Logger } from '../logging/logger.ts';
import type { FactId, ServiceKnowledge } from '../queue/service-knowledge.ts';
import type { Accounts } from './accounts.ts';

/** The contract's About and diagnostics commands: what runs, and what the service does. */
export interface DiagnosticsService extends Pick<
  SettingsCommands,
  'appInfo' | 'diagnostics' | 'checkConnection'
> {
  /** The contract's check; the CLI passes Ctrl-C as `signal` (the clean-up still runs). */
  checkConnection(accountId: string, options?: { signal?: AbortSignal }): Promise<ConnectionReport>;
}

/** What the shell offers, as About tells it. */
export interface ShellCapabilities {
  canChooseFolders: boolean;
  canSignIn: boolean;
  canTryDemo: boolean;
  canOpenOnDesktop: boolean;
  tokenStorage: TokenStorage;
  /** Versions the engine cannot know itself (Electron, Chromium). */
  runtimeVersions: Readonly<Record<string, string>> | undefined;
}

export interface DiagnosticsServiceDeps {
  accounts: Pick<Accounts, 'get' | 'demo'>;
  knowledge: ServiceKnowledge;
  /** What the report shows, each from its own service. */
  snapshot: () => Promise<{
    settings: Settings;
    accounts: AccountView[];
    queue: QueueSummary;
    folders: WatchedFolderView[];
  }>;
  shell: ShellCapabilities;
  dataDir: string;
  log: Logger;
  now: () => number;
  /** A check that ends after the engine closed learns nothing: the queue is gone. */
  closed: () => boolean;
}

export class EngineDiagnostics implements DiagnosticsService {
  readonly #deps: DiagnosticsServiceDeps;
  /** A connection check under way per account: asking again joins it. */
  readonly #checks = new Map<string, Promise<ConnectionReport>>();

  constructor(deps: DiagnosticsServiceDeps) {
    this.#deps = deps;
  }

  appInfo(): Promise<AppInfo> {
    const { shell, log, accounts } = this.#deps;
    return Promise.resolve({
      version: packageJson.version,
      demo: accounts.demo() !== undefined,
      transport: 'electron',
      dropsCarryPaths: true,
      canChooseFolders: shell.canChooseFolders,
      logFile: log.file,
      tokenStorage: shell.tokenStorage,
      canSignIn: shell.canSignIn,
      canTryDemo: shell.canTryDemo,
      canOpenOnDesktop: shell.canOpenOnDesktop,
    });
  }

  async diagnostics(): Promise<string> {
    const { settings, accounts, queue, folders } = await this.#deps.snapshot();
    return diagnosticsReport({
      at: this.#deps.now(),
      versions: {
        taskdrop: packageJson.version,
        'Node.js': process.versions.node,
        ...this.#deps.shell.runtimeVersions,
        OS: `${process.platform} ${release()} (${arch()})`,
      },
      settings,
      accounts,
      queue,
      folders,
      problems: this.#deps.log.recentProblems(),
      logFile: this.#deps.log.file,
      home: homedir(),
    });
  }

  checkConnection(
    accountId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<ConnectionReport> {
    const account = this.#deps.accounts.get(accountId);
    const running = this.#checks.get(accountId);
    if (running !== undefined) return running;
    const check = probeService({
      account: account.config,
      graph: account.graph,
      transport: account.transport,
      ledger: new ScratchLedger(this.#deps.dataDir),
      now: this.#deps.now,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
      .then(({ report, learned }) => {
        if (!this.#deps.closed()) this.#learn(accountId, learned);
        this.#deps.log.info('connection checked', {
          account: accountId,
          differing: report.findings
            .filter((line) => line.agrees === false)
            .map((line) => line.fact),
          leftovers: report.leftovers.length,
        });
        return report;
      })
      .finally(() => this.#checks.delete(accountId));
    this.#checks.set(accountId, check);
    return check;
  }

  /** What a check settled, the engine's knowledge from now on (docs/upload-rules.md rule 11). */
  #learn(accountId: string, learned: LearnedFacts): void {
    for (const [fact, value] of Object.entries(learned) as [FactId, LearnedFacts[FactId]][]) {
      if (value !== undefined) this.#deps.knowledge.learn(accountId, fact, value, 'doctor');
    }
  }
}
