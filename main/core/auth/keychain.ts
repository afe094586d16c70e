import { spawn } from 'node:child_process';
import { aesGcmEncryption, aesKeyBytes, newAesKey, type Encryption } from './encryption.ts';

/** One run of a command: its exit code and output, or null when it could not be started. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export type CommandRunner = (
  command: string,
  args: readonly string[],
  input?: string,
) => Promise<CommandResult | null>;

/** Where the token cache's AES key is kept: the operating system's keychain. */
export interface KeyStore {
  readonly description: string;
  /** The stored key, or null when none is stored yet; rejects when the keychain fails. */
  load(): Promise<Buffer | null>;
  save(key: Buffer): Promise<void>;
}

const service = 'taskdrop';
const account = 'token-cache-key';
const label = 'taskdrop: key of the Microsoft sign-in cache';

export const runCommand: CommandRunner = (command, args, input) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', () => resolve(null));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });

function decodeKey(text: string): Buffer | null {
  const key = Buffer.from(text.trim(), 'base64');
  return key.length === aesKeyBytes ? key : null;
}

class KeychainError extends Error {
  constructor(tool: string, result: CommandResult) {
    // The tool's own words, never the key: the key only travels on stdin and stdout.
    super(`${tool} failed (exit ${String(result.code)}): ${result.stderr.trim().slice(0, 200)}`);
    this.name = 'KeychainError';
  }
}

/** Linux: the Secret Service (GNOME Keyring, KWallet) through libsecret's `secret-tool`. */
function secretToolStore(run: CommandRunner): KeyStore {
  const attributes = ['service', service, 'account', account];
  return {
    description: 'the Secret Service keyring (secret-tool)',
    async load() {
      const result = await run('secret-tool', ['lookup', ...attributes]);
      if (result === null) throw new Error('secret-tool is not installed');
      // Exit 1 and silence: no such secret yet. Exit 1 with a message: no keyring to ask.
      if (result.code !== 0 && result.stderr.trim() === '') return null;
      if (result.code !== 0) throw new KeychainError('secret-tool', result);
      return decodeKey(result.stdout);
    },
    async save(key) {
      const result = await run(
        'secret-tool',
        ['store', `--label=${label}`, ...attributes],
        key.toString('base64'),
      );
      if (result === null || result.code !== 0) {
        throw new KeychainError('secret-tool', result ?? { code: null, stdout: '', stderr: '' });
      }
    },
  };
}

/** macOS: the login keychain through `security`. */
function securityStore(run: CommandRunner): KeyStore {
  const notFound = 44;
  return {
    description: 'the macOS keychain',
    async load() {
      const result = await run('security', [
        'find-generic-password',
        '-s',
        service,
        '-a',
        account,
        '-w',
      ]);
      if (result === null) throw new Error('security is not available');
      if (result.code === notFound) return null;
      if (result.code !== 0) throw new KeychainError('security', result);
      return decodeKey(result.stdout);
    },
    async save(key) {
      // Interactive mode reads the command from stdin, so the key never shows in the process list.
      const command = `add-generic-password -U -s ${service} -a ${account} -l "${label}" -w ${key.toString('base64')}\n`;
      const result = await run('security', ['-i'], command);
      if (result === null || result.code !== 0) {
        throw new KeychainError('security', result ?? { code: null, stdout: '', stderr: '' });
      }
    },
  };
}

/**
 * The keychain this platform offers through a command that ships with it (no native module),
 * once it answers a lookup; null when there is none to use (Windows and headless Linux fall
 * back to the CLI's explicit plain-text opt-in; the app uses Electron's safeStorage instead).
 */
export async function findKeyStore(
  platform: NodeJS.Platform = process.platform,
  run: CommandRunner = runCommand,
): Promise<KeyStore | null> {
  const store =
    platform === 'linux' ? secretToolStore(run) : platform === 'darwin' ? securityStore(run) : null;
  if (store === null) return null;
  try {
    await store.load();
    return store;
  } catch {
    return null;
  }
}

/** AES-256-GCM with a key kept in `store`, made and stored on first use. */
export async function keychainEncryption(store: KeyStore): Promise<Encryption> {
  let key = await store.load();
  if (key === null) {
    key = newAesKey();
    await store.save(key);
  }
  return aesGcmEncryption(key, `AES-256-GCM, key in ${store.description}`);
}
