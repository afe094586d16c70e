import { join } from 'node:path';
import type { AuthSettings } from './auth-settings.ts';
import { plaintextStorage, type Encryption } from './encryption.ts';
import { FileCachePlugin } from './file-cache-plugin.ts';
import { findKeyStore, keychainEncryption, type KeyStore } from './keychain.ts';

export const sealedCachePath = (dataDir: string): string => join(dataDir, 'msal-cache.sealed');
export const plaintextCachePath = (dataDir: string): string =>
  join(dataDir, 'msal-cache.plaintext.json');

/** Where MSAL's token cache lives between runs, and how it is protected. */
export type TokenStore =
  | { kind: 'sealed'; plugin: FileCachePlugin; description: string }
  | { kind: 'plaintext-file'; plugin: FileCachePlugin }
  | { kind: 'memory' };

export interface TokenStoreOptions {
  onUnreadable?: (message: string) => void;
}

/** The app's store: the cache sealed by Electron's safeStorage (or any Encryption). */
export function sealedTokenStore(
  dataDir: string,
  encryption: Encryption,
  options: TokenStoreOptions = {},
): TokenStore {
  return {
    kind: 'sealed',
    plugin: new FileCachePlugin(sealedCachePath(dataDir), encryption, options),
    description: encryption.description,
  };
}

/**
 * The CLI's store: what the person opted into explicitly (a plain-text 0600 file), else the
 * cache sealed with a key in the OS keychain, else nothing kept beyond this process.
 */
export async function cliTokenStore(
  dataDir: string,
  settings: AuthSettings,
  options: TokenStoreOptions & { keyStore?: () => Promise<KeyStore | null> } = {},
): Promise<TokenStore> {
  if (settings.tokenStore === 'plaintext-file') {
    return {
      kind: 'plaintext-file',
      plugin: new FileCachePlugin(plaintextCachePath(dataDir), plaintextStorage, options),
    };
  }
  const keyStore = await (options.keyStore ?? (() => findKeyStore()))();
  if (keyStore === null) return { kind: 'memory' };
  return sealedTokenStore(dataDir, await keychainEncryption(keyStore), options);
}
