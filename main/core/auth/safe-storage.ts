import type { Encryption } from './encryption.ts';

/** The part of Electron's `safeStorage` the token cache uses (core never imports electron). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: which secret store Electron chose ('basic_text' means none). */
  getSelectedStorageBackend?(): string;
}

export interface SafeStorageChoice {
  /** Null: nothing can be sealed here, so sign-ins last as long as the app runs. */
  encryption: Encryption | null;
  /** Said to the person once, when their sign-in is less protected than it should be. */
  warning: string | null;
}

/**
 * The app's encryption: Electron's safeStorage (Keychain on macOS, DPAPI on Windows, the
 * Secret Service or KWallet on Linux). Call after the app is ready, as safeStorage requires.
 */
export function safeStorageEncryption(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform = process.platform,
): SafeStorageChoice {
  if (!safeStorage.isEncryptionAvailable()) {
    return {
      encryption: null,
      warning:
        'This system offers taskdrop no way to encrypt your sign-in, so it is not saved: ' +
        'you will sign in again each time taskdrop starts.',
    };
  }
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend?.() : undefined;
  const encryption: Encryption = {
    description: `Electron safeStorage${backend === undefined ? '' : ` (${backend})`}`,
    encrypt: (plaintext) => Promise.resolve(safeStorage.encryptString(plaintext)),
    decrypt: (sealed) => {
      try {
        return Promise.resolve(safeStorage.decryptString(sealed));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
  const warning =
    backend === 'basic_text'
      ? 'No keyring (GNOME Keyring or KWallet) is running, so your saved sign-in is only ' +
        'obfuscated with a fixed key, not truly encrypted. Start or install a keyring, then sign in again.'
      : null;
  return { encryption, warning };
}
