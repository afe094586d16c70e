import { randomBytes } from 'node:crypto';
import { graphTime } from './clock.ts';
import type { IssuedToken } from './types.ts';

interface TokenGrant {
  userId: string;
  expiresAt: number;
}

export type TokenCheck =
  { ok: true; userId: string } | { ok: false; reason: 'missing' | 'unknown' | 'expired' };

/** Opaque bearer tokens the Graph routes accept: issued here, checked on every call. */
export class TokenBook {
  readonly #grants = new Map<string, TokenGrant>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  issue(userId: string, lifetimeMs: number): IssuedToken {
    const accessToken = `simtok.${randomBytes(32).toString('base64url')}`;
    const expiresAt = this.#now() + lifetimeMs;
    this.#grants.set(accessToken, { userId, expiresAt });
    return { accessToken, userId, expiresOn: graphTime(expiresAt) };
  }

  check(authorization: string | undefined): TokenCheck {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (match?.[1] === undefined) return { ok: false, reason: 'missing' };
    const grant = this.#grants.get(match[1]);
    if (grant === undefined) return { ok: false, reason: 'unknown' };
    if (grant.expiresAt <= this.#now()) return { ok: false, reason: 'expired' };
    return { ok: true, userId: grant.userId };
  }

  /** Expires one token, or every token when none is named. */
  expire(accessToken?: string): void {
    const expiredAt = this.#now() - 1;
    for (const [token, grant] of this.#grants) {
      if (accessToken === undefined || token === accessToken) grant.expiresAt = expiredAt;
    }
  }

  static bearer(authorization: string | undefined): string | undefined {
    return /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  }
}
