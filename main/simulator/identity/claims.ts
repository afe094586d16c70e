import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { UserRecord } from '../model.ts';

/** Microsoft's tenant of personal accounts (outlook.com, hotmail.com, live.com...). */
export const consumersTenantId = '9188040d-6c67-4c5b-b112-36a304b66dad';

const personalDomains = new Set(['outlook.com', 'hotmail.com', 'live.com', 'msn.com']);

/** The public login host the simulator stands in for; it appears in issuers and metadata. */
export const loginHost = 'login.microsoftonline.com';

function guidFrom(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Personal accounts live in the consumers tenant; a work account's tenant follows from its
 * domain, so every user of one simulated organisation shares one tenant id.
 */
export function tenantOf(user: UserRecord): string {
  const domain = user.userPrincipalName.split('@')[1]?.toLowerCase() ?? '';
  return personalDomains.has(domain) ? consumersTenantId : guidFrom(`tenant:${domain}`);
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** `client_info`: what MSAL builds the home account id (`uid.utid`) from. */
export function clientInfo(user: UserRecord): string {
  return base64url(JSON.stringify({ uid: user.id, utid: tenantOf(user) }));
}

export interface IdTokenInput {
  user: UserRecord;
  clientId: string;
  nowMs: number;
  nonce: string | null;
}

/**
 * Signs ID tokens with an HMAC key of its own: MSAL Node decodes an ID token's claims but does
 * not verify its signature (it came straight from the token endpoint over TLS), so any
 * well-formed JWS serves.
 */
export class IdTokenSigner {
  readonly #key = randomBytes(32);

  sign(input: IdTokenInput): string {
    const { user, clientId, nowMs, nonce } = input;
    const tid = tenantOf(user);
    const iat = Math.floor(nowMs / 1000);
    const claims = {
      ver: '2.0',
      iss: `https://${loginHost}/${tid}/v2.0`,
      aud: clientId,
      // Pairwise like the real one: the same person has another `sub` in another app.
      sub: base64url(createHash('sha256').update(`${user.id}:${clientId}`).digest()).slice(0, 43),
      oid: user.id,
      tid,
      preferred_username: user.userPrincipalName,
      name: user.displayName,
      iat,
      nbf: iat,
      exp: iat + 3600,
      ...(nonce === null ? {} : { nonce }),
    };
    const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256', kid: 'taskdrop-sim' }));
    const payload = base64url(JSON.stringify(claims));
    const signature = createHmac('sha256', this.#key).update(`${header}.${payload}`).digest();
    return `${header}.${payload}.${base64url(signature)}`;
  }
}
