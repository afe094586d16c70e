import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { readOptionalFile, writeFileAtomic } from './atomic-file.ts';
import type { Encryption } from './encryption.ts';

/** One holder at a time, in arrival order. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const turn = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => held);
    return turn;
  }
}

export interface FileCachePluginOptions {
  /** The saved cache could not be opened (another key, damaged): it counts as signed out. */
  onUnreadable?: (reason: string) => void;
}

/**
 * MSAL's token cache in one file, sealed by `encryption`, replaced atomically (0600). Every
 * access reads the file first, and one access at a time runs between MSAL's before and after
 * calls, so a refresh finishing while another starts can never write back stale tokens.
 */
export class FileCachePlugin implements ICachePlugin {
  readonly path: string;
  readonly #encryption: Encryption;
  readonly #options: FileCachePluginOptions;
  readonly #mutex = new Mutex();
  readonly #held = new Map<TokenCacheContext, () => void>();
  #warned = false;

  constructor(path: string, encryption: Encryption, options: FileCachePluginOptions = {}) {
    this.path = path;
    this.#encryption = encryption;
    this.#options = options;
  }

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    const release = await this.#mutex.acquire();
    this.#held.set(context, release);
    try {
      const sealed = await readOptionalFile(this.path);
      if (sealed === null) return;
      context.tokenCache.deserialize(await this.#open(sealed));
    } catch (error) {
      this.#release(context);
      throw error;
    }
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!this.#held.has(context)) return;
    try {
      if (context.cacheHasChanged) {
        const sealed = await this.#encryption.encrypt(context.tokenCache.serialize());
        await writeFileAtomic(this.path, sealed);
      }
    } finally {
      this.#release(context);
    }
  }

  /** The cache as JSON text; an unreadable one reads as empty (and is said so once). */
  async #open(sealed: Buffer): Promise<string> {
    try {
      return await this.#encryption.decrypt(sealed);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (this.#warned) return '{}';
      this.#warned = true;
      this.#options.onUnreadable?.(
        `The saved sign-in in ${this.path} cannot be opened with ${this.#encryption.description} (${reason}); sign in again.`,
      );
      return '{}';
    }
  }

  #release(context: TokenCacheContext): void {
    const release = this.#held.get(context);
    this.#held.delete(context);
    release?.();
  }
}
