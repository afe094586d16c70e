import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenCacheContext, type ISerializableTokenCache } from '@azure/msal-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../main/core/auth/atomic-file.ts';
import { aesGcmEncryption, newAesKey, plaintextStorage } from '../../main/core/auth/encryption.ts';
import { FileCachePlugin } from '../../main/core/auth/file-cache-plugin.ts';
import {
  findKeyStore,
  keychainEncryption,
  type CommandResult,
  type CommandRunner,
} from '../../main/core/auth/keychain.ts';
import { MicrosoftAccounts } from '../../main/core/auth/microsoft-accounts.ts';
import { MsalAuth } from '../../main/core/auth/msal-auth.ts';
import { safeStorageEncryption } from '../../main/core/auth/safe-storage.ts';
import { cliTokenStore, sealedCachePath } from '../../main/core/auth/token-store.ts';
import { authRig, clientId, fakeSafeStorage, signInByDeviceCode, type AuthRig } from './support.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-cache-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A stand-in for MSAL's TokenCache: it keeps what it is given. */
class MemoryCache implements ISerializableTokenCache {
  text = '';
  deserialize = (cache: string): void => void (this.text = cache);
  serialize = (): string => this.text;
}

describe('AES-GCM encryption', () => {
  it('round-trips, and refuses another key or tampered bytes', async () => {
    const key = newAesKey();
    const sealed = await aesGcmEncryption(key).encrypt('{"RefreshToken":"secret"}');
    expect(sealed.includes('secret')).toBe(false);
    expect(await aesGcmEncryption(key).decrypt(sealed)).toBe('{"RefreshToken":"secret"}');
    await expect(aesGcmEncryption(newAesKey()).decrypt(sealed)).rejects.toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] = (tampered.at(-1) ?? 0) ^ 1;
    await expect(aesGcmEncryption(key).decrypt(tampered)).rejects.toThrow();
  });
});

describe('atomic writes', () => {
  it('replaces the file whole, mode 0600, leaving no temp file behind', async () => {
    const path = join(dir, 'nested', 'cache.bin');
    await writeFileAtomic(path, Buffer.from('one'));
    await writeFileAtomic(path, Buffer.from('two'));
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['cache.bin']);
  });
});

describe('FileCachePlugin', () => {
  it('writes only when MSAL changed the cache, sealed', async () => {
    const path = join(dir, 'cache.sealed');
    const key = newAesKey();
    const plugin = new FileCachePlugin(path, aesGcmEncryption(key));
    const cache = new MemoryCache();
    const reading = new TokenCacheContext(cache, false);
    await plugin.beforeCacheAccess(reading);
    await plugin.afterCacheAccess(reading);
    expect(() => statSync(path)).toThrow();

    const writing = new TokenCacheContext(cache, true);
    await plugin.beforeCacheAccess(writing);
    cache.text = '{"secret":"rt-123"}';
    await plugin.afterCacheAccess(writing);
    expect(readFileSync(path).includes('rt-123')).toBe(false);
    expect(await aesGcmEncryption(key).decrypt(readFileSync(path))).toBe('{"secret":"rt-123"}');

    const again = new MemoryCache();
    const next = new TokenCacheContext(again, false);
    await plugin.beforeCacheAccess(next);
    await plugin.afterCacheAccess(next);
    expect(again.text).toBe('{"secret":"rt-123"}');
  });

  it('lets one access at a time run between before and after', async () => {
    const plugin = new FileCachePlugin(join(dir, 'cache.sealed'), plaintextStorage);
    const order: string[] = [];
    const first = new TokenCacheContext(new MemoryCache(), true);
    const second = new TokenCacheContext(new MemoryCache(), false);
    await plugin.beforeCacheAccess(first);
    const waiting = plugin.beforeCacheAccess(second).then(() => order.push('second in'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    order.push('first out');
    await plugin.afterCacheAccess(first);
    await waiting;
    await plugin.afterCacheAccess(second);
    expect(order).toEqual(['first out', 'second in']);
  });

  it('reads a cache sealed with another key as signed out, and says so once', async () => {
    const path = join(dir, 'cache.sealed');
    writeFileSync(path, await aesGcmEncryption(newAesKey()).encrypt('{"Account":{}}'));
    const notes: string[] = [];
    const plugin = new FileCachePlugin(path, aesGcmEncryption(newAesKey(), 'the new key'), {
      onUnreadable: (message) => notes.push(message),
    });
    for (let round = 0; round < 2; round += 1) {
      const cache = new MemoryCache();
      const context = new TokenCacheContext(cache, false);
      await plugin.beforeCacheAccess(context);
      await plugin.afterCacheAccess(context);
      expect(cache.text).toBe('{}');
    }
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('cannot be opened with the new key');
  });
});

describe('the sealed cache with the real MSAL', () => {
  let rig: AuthRig;
  afterEach(async () => {
    await rig.close();
  });

  it('keeps a sign-in across restarts, readable only with the key', async () => {
    rig = await authRig();
    const account = await signInByDeviceCode(rig.accounts, rig.sim);
    expect((await rig.openAccounts().list()).map((config) => config.id)).toEqual([account.id]);

    const otherKey = new MsalAuth({
      clientId,
      cachePlugin: new FileCachePlugin(sealedCachePath(rig.dataDir), aesGcmEncryption(newAesKey())),
      loginServiceOrigin: rig.sim.origin,
    });
    expect(await new MicrosoftAccounts(otherKey).list()).toEqual([]);
    expect(statSync(sealedCachePath(rig.dataDir)).mode & 0o777).toBe(0o600);
  });
});

/** A fake `secret-tool`/`security`, holding one secret like a keyring would. */
function fakeKeyring(behaviour: 'working' | 'no-daemon' | 'absent'): {
  run: CommandRunner;
  calls: string[][];
  inputs: string[];
} {
  let stored: string | null = null;
  const calls: string[][] = [];
  const inputs: string[] = [];
  const result = (code: number, stdout = '', stderr = ''): CommandResult => ({
    code,
    stdout,
    stderr,
  });
  const run: CommandRunner = (command, args, input) => {
    calls.push([command, ...args]);
    if (input !== undefined && input !== '') inputs.push(input);
    if (behaviour === 'absent') return Promise.resolve(null);
    if (behaviour === 'no-daemon') {
      return Promise.resolve(result(1, '', 'Cannot autolaunch D-Bus without X11 $DISPLAY'));
    }
    if (args[0] === 'lookup')
      return Promise.resolve(stored === null ? result(1) : result(0, stored));
    if (args[0] === 'store') stored = input ?? null;
    if (args[0] === 'find-generic-password') {
      return Promise.resolve(stored === null ? result(44) : result(0, `${stored}\n`));
    }
    if (args[0] === '-i') stored = /-w (\S+)/.exec(input ?? '')?.[1] ?? null;
    return Promise.resolve(result(0));
  };
  return { run, calls, inputs };
}

describe('OS keychain', () => {
  it('keeps the AES key in the Secret Service through secret-tool, passed on stdin only', async () => {
    const keyring = fakeKeyring('working');
    const store = await findKeyStore('linux', keyring.run);
    expect(store?.description).toContain('secret-tool');
    const first = await keychainEncryption(store!);
    const sealed = await first.encrypt('tokens');
    const second = await keychainEncryption(store!);
    expect(await second.decrypt(sealed)).toBe('tokens');
    const stored = keyring.inputs[0] ?? '';
    expect(Buffer.from(stored, 'base64')).toHaveLength(32);
    expect(keyring.calls.flat().join(' ')).not.toContain(stored);
  });

  it('keeps the key in the macOS keychain, off the command line', async () => {
    const keyring = fakeKeyring('working');
    const store = await findKeyStore('darwin', keyring.run);
    const first = await keychainEncryption(store!);
    const second = await keychainEncryption(store!);
    expect(await second.decrypt(await first.encrypt('tokens'))).toBe('tokens');
    const key = /-w (\S+)/.exec(keyring.inputs[0] ?? '')?.[1] ?? '';
    expect(key).not.toBe('');
    expect(keyring.calls.flat().join(' ')).not.toContain(key);
  });

  it('finds none without the tool, without a keyring daemon, or on Windows', async () => {
    expect(await findKeyStore('linux', fakeKeyring('absent').run)).toBeNull();
    expect(await findKeyStore('linux', fakeKeyring('no-daemon').run)).toBeNull();
    expect(await findKeyStore('win32', fakeKeyring('working').run)).toBeNull();
  });

  it('gives the CLI no persistence without a keychain unless the person opted in', async () => {
    const none = await cliTokenStore(dir, {}, { keyStore: () => Promise.resolve(null) });
    expect(none.kind).toBe('memory');
    const opted = await cliTokenStore(dir, { tokenStore: 'plaintext-file' });
    expect(opted.kind).toBe('plaintext-file');
    const keyring = fakeKeyring('working');
    const sealed = await cliTokenStore(
      dir,
      {},
      { keyStore: () => findKeyStore('linux', keyring.run) },
    );
    expect(sealed.kind).toBe('sealed');
  });
});

describe('Electron safeStorage as the encryption', () => {
  it('seals with safeStorage, and warns when Linux falls back to basic_text', async () => {
    const keyring = safeStorageEncryption(fakeSafeStorage(true, 'gnome_libsecret'), 'linux');
    expect(keyring.warning).toBeNull();
    expect(keyring.encryption?.description).toBe('Electron safeStorage (gnome_libsecret)');
    const sealed = await keyring.encryption!.encrypt('{"secret":"x"}');
    expect(await keyring.encryption!.decrypt(sealed)).toBe('{"secret":"x"}');

    const weak = safeStorageEncryption(fakeSafeStorage(true, 'basic_text'), 'linux');
    expect(weak.encryption).not.toBeNull();
    expect(weak.warning).toContain('not truly encrypted');
    expect(safeStorageEncryption(fakeSafeStorage(true, 'basic_text'), 'darwin').warning).toBeNull();

    const none = safeStorageEncryption(fakeSafeStorage(false, 'unknown'), 'linux');
    expect(none.encryption).toBeNull();
    expect(none.warning).toContain('not saved');
  });
});
