import type { UserRecord } from '../model.ts';
import type { IdentityBook } from './grants.ts';
import type { DeviceCodeInfo, IdentityCounters, IdentityOptions, IssuedSecrets } from './types.ts';

/**
 * Test and tool control of the identity side: approve device codes, revoke refresh tokens,
 * shorten access-token lifetimes, read what was issued. In-process callers use the methods;
 * `/_sim/identity/...` (control-routes.ts) serves the same over HTTP.
 */
export class IdentityControl {
  readonly #book: IdentityBook;

  constructor(book: IdentityBook) {
    this.#book = book;
  }

  options(): IdentityOptions {
    return structuredClone(this.#book.options);
  }

  setOptions(changes: Partial<Pick<IdentityOptions, 'accessTokenLifetimeMs'>>): IdentityOptions {
    Object.assign(this.#book.options, changes);
    return this.options();
  }

  /** Signs the device code's person in as `user` (id or userPrincipalName; default user if none). */
  approveDevice(userCode: string, user?: string): DeviceCodeInfo {
    const record = this.#user(user);
    if (!this.#book.approveDevice(userCode, record)) {
      throw new RangeError(`no device code ${userCode} is waiting`);
    }
    return this.#device(userCode);
  }

  declineDevice(userCode: string): DeviceCodeInfo {
    if (!this.#book.declineDevice(userCode)) {
      throw new RangeError(`no device code ${userCode} is waiting`);
    }
    return this.#device(userCode);
  }

  deviceCodes(): DeviceCodeInfo[] {
    return this.#book.deviceCodes();
  }

  /** Revokes the refresh tokens of one user, or of everyone; answers how many. */
  revokeRefreshTokens(user?: string): number {
    return this.#book.revoke(user === undefined ? undefined : this.#user(user).id);
  }

  counters(): IdentityCounters {
    return this.#book.counters();
  }

  resetCounters(): void {
    this.#book.resetCounters();
  }

  /** Every token handed out so far (tests look for them where they must not be). */
  issued(): IssuedSecrets {
    return this.#book.issued();
  }

  #user(ref: string | undefined): UserRecord {
    if (ref === undefined) return this.#book.defaultUser;
    const user = this.#book.findUser(ref);
    if (user === undefined) throw new RangeError(`no simulated user ${ref}`);
    return user;
  }

  #device(userCode: string): DeviceCodeInfo {
    const wanted = userCode.replace(/[\s-]/g, '').toUpperCase();
    const found = this.#book.deviceCodes().find((device) => device.userCode === wanted);
    if (found === undefined) throw new RangeError(`no device code ${userCode}`);
    return found;
  }
}
