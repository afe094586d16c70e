import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { UserRecord } from '../model.ts';
import type { SimStore } from '../store.ts';
import type { TokenBook } from '../tokens.ts';
import { clientInfo, IdTokenSigner } from './claims.ts';
import { oauthErrors, type OAuthError } from './oauth-errors.ts';
import type {
  DeviceCodeInfo,
  GrantType,
  IdentityCounters,
  IdentityOptions,
  IssuedSecrets,
} from './types.ts';

/** What the token endpoint answers on success (the fields MSAL reads). */
export interface TokenAnswer {
  token_type: 'Bearer';
  scope: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  refresh_token?: string;
  id_token: string;
  client_info: string;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: OAuthError };

interface AuthCodeGrant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  userId: string;
  scopes: string[];
  nonce: string | null;
  expiresAt: number;
  redeemed: boolean;
}

interface DeviceGrant {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  state: DeviceCodeInfo['state'];
  userId: string | null;
}

interface RefreshGrant {
  userId: string;
  clientId: string;
  revoked: boolean;
}

export interface NewAuthCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  user: UserRecord;
  scopes: string[];
  nonce: string | null;
}

export interface DeviceStart {
  deviceCode: string;
  userCode: string;
  expiresInSeconds: number;
  intervalSeconds: number;
}

const oidcScopes = new Set(['openid', 'profile', 'email', 'offline_access']);
const userCodeAlphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

const failed = (error: OAuthError): { ok: false; error: OAuthError } => ({ ok: false, error });
const secret = (prefix: string): string => `${prefix}.${randomBytes(32).toString('base64url')}`;

export function parseScopes(text: string | null): string[] {
  return (text ?? '').split(/\s+/).filter((scope) => scope !== '');
}

export function isGuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}

/** RFC 7636 S256: BASE64URL(SHA256(code_verifier)) equals the code_challenge. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  return createHash('sha256').update(verifier).digest('base64url') === challenge;
}

function userCode(): string {
  return Array.from({ length: 9 }, () => userCodeAlphabet[randomInt(userCodeAlphabet.length)]).join(
    '',
  );
}

/**
 * The identity platform's memory: authorization codes, device codes and refresh tokens, and the
 * rules for redeeming them. Access tokens go into the Graph side's TokenBook, so Graph accepts
 * exactly the tokens issued here, for the user who signed in.
 */
export class IdentityBook {
  readonly options: IdentityOptions;
  readonly #store: SimStore;
  readonly #tokens: TokenBook;
  readonly #now: () => number;
  readonly #signer = new IdTokenSigner();
  readonly #codes = new Map<string, AuthCodeGrant>();
  readonly #devices = new Map<string, DeviceGrant>();
  readonly #refreshTokens = new Map<string, RefreshGrant>();
  readonly #issued: IssuedSecrets = { accessTokens: [], refreshTokens: [], idTokens: [] };
  #counters: IdentityCounters = emptyCounters();

  constructor(deps: {
    store: SimStore;
    tokens: TokenBook;
    now: () => number;
    options: IdentityOptions;
  }) {
    this.#store = deps.store;
    this.#tokens = deps.tokens;
    this.#now = deps.now;
    this.options = { ...deps.options, clientIds: [...deps.options.clientIds] };
  }

  now(): number {
    return this.#now();
  }

  knownClient(clientId: string): boolean {
    const { clientIds } = this.options;
    return clientIds.length === 0 ? isGuid(clientId) : clientIds.includes(clientId);
  }

  findUser(ref: string): UserRecord | undefined {
    return this.#store.findUser(ref);
  }

  get defaultUser(): UserRecord {
    return this.#store.defaultUser;
  }

  // Authorization code flow

  issueCode(input: NewAuthCode): string {
    this.#counters.authorizeRequests += 1;
    const code = secret('simcode');
    this.#codes.set(code, {
      clientId: input.clientId,
      redirectUri: input.redirectUri,
      challenge: input.challenge,
      userId: input.user.id,
      scopes: input.scopes,
      nonce: input.nonce,
      expiresAt: this.#now() + this.options.authCodeLifetimeMs,
      redeemed: false,
    });
    return code;
  }

  redeemCode(input: {
    code: string;
    clientId: string;
    redirectUri: string;
    verifier: string;
  }): Outcome<TokenAnswer> {
    const grant = this.#codes.get(input.code);
    if (grant === undefined) return failed(oauthErrors.badCode());
    if (grant.redeemed) return failed(oauthErrors.codeRedeemed());
    if (grant.expiresAt <= this.#now()) return failed(oauthErrors.codeExpired());
    if (grant.clientId !== input.clientId) return failed(oauthErrors.wrongClient());
    if (grant.redirectUri !== input.redirectUri) return failed(oauthErrors.redirectMismatch());
    if (!verifierMatches(input.verifier, grant.challenge)) {
      return failed(oauthErrors.verifierMismatch());
    }
    grant.redeemed = true;
    return this.#answer(
      'authorization_code',
      grant.userId,
      grant.clientId,
      grant.scopes,
      grant.nonce,
    );
  }

  // Device code flow

  startDevice(clientId: string, scopes: string[]): DeviceStart {
    this.#counters.deviceCodesIssued += 1;
    const grant: DeviceGrant = {
      deviceCode: secret('simdevice'),
      userCode: userCode(),
      clientId,
      scopes,
      expiresAt: this.#now() + this.options.deviceCodeLifetimeMs,
      state: 'pending',
      userId: null,
    };
    this.#devices.set(grant.deviceCode, grant);
    return {
      deviceCode: grant.deviceCode,
      userCode: grant.userCode,
      expiresInSeconds: Math.ceil(this.options.deviceCodeLifetimeMs / 1000),
      intervalSeconds: this.options.devicePollIntervalSeconds,
    };
  }

  /** The person entered the code and signed in as `user`; false when no such code is waiting. */
  approveDevice(code: string, user: UserRecord): boolean {
    const grant = this.#pendingDevice(code);
    if (grant === undefined) return false;
    grant.state = 'approved';
    grant.userId = user.id;
    return true;
  }

  declineDevice(code: string): boolean {
    const grant = this.#pendingDevice(code);
    if (grant === undefined) return false;
    grant.state = 'declined';
    return true;
  }

  #pendingDevice(code: string): DeviceGrant | undefined {
    const wanted = code.replace(/[\s-]/g, '').toUpperCase();
    return [...this.#devices.values()].find(
      (grant) =>
        grant.userCode === wanted && grant.state === 'pending' && grant.expiresAt > this.#now(),
    );
  }

  deviceCodes(): DeviceCodeInfo[] {
    const now = this.#now();
    return [...this.#devices.values()].map((grant) => ({
      userCode: grant.userCode,
      clientId: grant.clientId,
      state: grant.state,
      userId: grant.userId,
      expired: grant.expiresAt <= now,
    }));
  }

  redeemDevice(deviceCode: string, clientId: string): Outcome<TokenAnswer> {
    const grant = this.#devices.get(deviceCode);
    if (grant === undefined || grant.state === 'redeemed') return failed(oauthErrors.badCode());
    if (grant.clientId !== clientId) return failed(oauthErrors.wrongClient());
    if (grant.expiresAt <= this.#now()) return failed(oauthErrors.deviceCodeExpired());
    if (grant.state === 'declined') return failed(oauthErrors.deviceDeclined());
    if (grant.state === 'pending' || grant.userId === null) {
      return failed(oauthErrors.authorizationPending());
    }
    grant.state = 'redeemed';
    return this.#answer('device_code', grant.userId, grant.clientId, grant.scopes, null);
  }

  // Refresh tokens

  /**
   * Redeeming a refresh token answers with a new one (rotation). As with the real platform, the
   * old one stays valid until it is revoked, so two refreshes racing each other both succeed.
   */
  redeemRefresh(refreshToken: string, clientId: string, scopes: string[]): Outcome<TokenAnswer> {
    const grant = this.#refreshTokens.get(refreshToken);
    if (grant === undefined) return failed(oauthErrors.badCode());
    if (grant.clientId !== clientId) return failed(oauthErrors.wrongClient());
    if (grant.revoked) return failed(oauthErrors.refreshRevoked());
    return this.#answer('refresh_token', grant.userId, clientId, scopes, null);
  }

  /** Revokes the refresh tokens of one user (all users when none is named); answers how many. */
  revoke(userId?: string): number {
    let count = 0;
    for (const grant of this.#refreshTokens.values()) {
      if (grant.revoked || (userId !== undefined && grant.userId !== userId)) continue;
      grant.revoked = true;
      count += 1;
    }
    return count;
  }

  // Observation

  counters(): IdentityCounters {
    return structuredClone(this.#counters);
  }

  resetCounters(): void {
    this.#counters = emptyCounters();
  }

  countError(error: string): void {
    this.#counters.errors[error] = (this.#counters.errors[error] ?? 0) + 1;
  }

  issued(): IssuedSecrets {
    return structuredClone(this.#issued);
  }

  #answer(
    grantType: GrantType,
    userId: string,
    clientId: string,
    scopes: string[],
    nonce: string | null,
  ): Outcome<TokenAnswer> {
    const user = this.#store.findUser(userId);
    if (user === undefined) return failed(oauthErrors.badCode());
    const lifetimeMs = this.options.accessTokenLifetimeMs;
    const accessToken = this.#tokens.issue(user.id, lifetimeMs).accessToken;
    const idToken = this.#signer.sign({ user, clientId, nowMs: this.#now(), nonce });
    const resourceScopes = scopes.filter((scope) => !oidcScopes.has(scope.toLowerCase()));
    const answer: TokenAnswer = {
      token_type: 'Bearer',
      scope: [...resourceScopes, 'openid', 'profile'].join(' '),
      expires_in: Math.max(1, Math.ceil(lifetimeMs / 1000)),
      ext_expires_in: Math.max(1, Math.ceil(lifetimeMs / 1000)),
      access_token: accessToken,
      id_token: idToken,
      client_info: clientInfo(user),
    };
    this.#issued.accessTokens.push(accessToken);
    this.#issued.idTokens.push(idToken);
    if (
      scopes.some((scope) => scope.toLowerCase() === 'offline_access') ||
      grantType === 'refresh_token'
    ) {
      const refreshToken = secret('simrt');
      this.#refreshTokens.set(refreshToken, { userId: user.id, clientId, revoked: false });
      this.#issued.refreshTokens.push(refreshToken);
      answer.refresh_token = refreshToken;
    }
    this.#counters.grants[grantType] += 1;
    return { ok: true, value: answer };
  }
}

function emptyCounters(): IdentityCounters {
  return {
    grants: { authorization_code: 0, refresh_token: 0, device_code: 0 },
    errors: {},
    authorizeRequests: 0,
    deviceCodesIssued: 0,
  };
}
