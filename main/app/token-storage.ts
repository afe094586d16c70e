import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import type { TokenStorage } from '../../preload/shared/contract.ts';
import { safeStorageEncryption, type SafeStorageLike } from '../core/auth/safe-storage.ts';
import { sealedTokenStore } from '../core/auth/token-store.ts';

/** How the app keeps sign-ins: MSAL's cache plugin (none: memory only), and what Settings says. */
export interface AppTokenStore {
  cachePlugin: ICachePlugin | undefined;
  storage: TokenStorage;
  /** For the log: why the sign-in is less protected than it should be; null when it is not. */
  warning: string | null;
}

/**
 * The app's token cache, sealed by Electron's safeStorage. Where that is only obfuscation
 * (Linux without a keyring: `basic_text`), nothing is read from or written to disk until the
 * person agrees in Settings (`allowed`), as the README promises and as the CLI asks
 * (docs/security.md §4); until then sign-ins last while the app runs.
 */
export function appTokenStore(
  dataDir: string,
  safeStorage: SafeStorageLike,
  allowed: () => Promise<boolean>,
  options: { platform?: NodeJS.Platform; onUnreadable?: (message: string) => void } = {},
): AppTokenStore {
  const sealing = safeStorageEncryption(safeStorage, options.platform);
  if (sealing.encryption === null) {
    return { cachePlugin: undefined, storage: 'memory', warning: sealing.warning };
  }
  const store = sealedTokenStore(dataDir, sealing.encryption, options);
  if (store.kind !== 'sealed') throw new Error('a sealed store was asked for');
  if (sealing.warning === null) {
    return { cachePlugin: store.plugin, storage: 'os', warning: null };
  }
  return {
    cachePlugin: new ConsentedCachePlugin(store.plugin, allowed),
    storage: 'obfuscated',
    warning: sealing.warning,
  };
}

/**
 * A cache plugin that touches the disk only while `allowed` says yes. The first access once it
 * does writes the cache even when MSAL saw no change: a sign-in made before the person agreed
 * is then saved at once, not at its next refresh.
 */
class ConsentedCachePlugin implements ICachePlugin {
  readonly #inner: ICachePlugin;
  readonly #allowed: () => Promise<boolean>;
  /** The accesses the inner plugin began (it holds its lock until their end), as it saw them. */
  readonly #entered = new Map<TokenCacheContext, TokenCacheContext>();
  /** Whether the file on disk holds what memory does, as far as this plugin knows. */
  #saved = false;

  constructor(inner: ICachePlugin, allowed: () => Promise<boolean>) {
    this.#inner = inner;
    this.#allowed = allowed;
  }

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!(await this.#allowed())) {
      this.#saved = false;
      return;
    }
    const seen = this.#saved ? context : changed(context);
    this.#saved = true;
    this.#entered.set(context, seen);
    await this.#inner.beforeCacheAccess(seen);
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    const seen = this.#entered.get(context);
    if (seen === undefined) return;
    this.#entered.delete(context);
    await this.#inner.afterCacheAccess(seen);
  }
}

/** The same access, marked as having changed the cache. */
function changed(context: TokenCacheContext): TokenCacheContext {
  return Object.create(context, { cacheHasChanged: { value: true } }) as TokenCacheContext;
}
