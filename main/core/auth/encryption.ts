import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * How the token cache is sealed at rest. The app passes Electron's safeStorage; the CLI an
 * AES-GCM key kept in the OS keychain; tests an AES-GCM key of their own.
 */
export interface Encryption {
  /** Said in messages and warnings, e.g. "Electron safeStorage (gnome_libsecret)". */
  readonly description: string;
  encrypt(plaintext: string): Promise<Buffer>;
  /** Rejects when the bytes were not sealed with this key (or were tampered with). */
  decrypt(sealed: Buffer): Promise<string>;
}

const version = 1;
const ivBytes = 12;
const tagBytes = 16;
export const aesKeyBytes = 32;

export function newAesKey(): Buffer {
  return randomBytes(aesKeyBytes);
}

/** AES-256-GCM: version byte, 96-bit random IV, 128-bit tag, ciphertext. */
export function aesGcmEncryption(key: Buffer, description = 'AES-256-GCM'): Encryption {
  if (key.length !== aesKeyBytes) throw new RangeError(`an AES-256 key has ${aesKeyBytes} bytes`);
  return {
    description,
    encrypt(plaintext) {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Promise.resolve(Buffer.concat([Buffer.of(version), iv, cipher.getAuthTag(), body]));
    },
    decrypt(sealed) {
      try {
        if (sealed[0] !== version || sealed.length < 1 + ivBytes + tagBytes) {
          throw new Error('not a sealed token cache');
        }
        const iv = sealed.subarray(1, 1 + ivBytes);
        const tag = sealed.subarray(1 + ivBytes, 1 + ivBytes + tagBytes);
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAuthTag(tag);
        const body = sealed.subarray(1 + ivBytes + tagBytes);
        return Promise.resolve(
          Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8'),
        );
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}

/**
 * No encryption at all: only for the CLI's explicit, warned opt-in on machines without a
 * keychain. The file is still 0600 and written atomically.
 */
export const plaintextStorage: Encryption = {
  description: 'no encryption (plain text, readable by your user account only)',
  encrypt: (plaintext) => Promise.resolve(Buffer.from(plaintext, 'utf8')),
  decrypt: (sealed) => Promise.resolve(sealed.toString('utf8')),
};
