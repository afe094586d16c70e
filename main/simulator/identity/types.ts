/** The identity side's public shapes: its options, and what its control routes answer. */

export interface IdentityOptions {
  /** Lifetime of access tokens from the token endpoint (the real ones last 60-90 minutes). */
  accessTokenLifetimeMs: number;
  /** How long an authorization code can be redeemed (the real one: about 10 minutes). */
  authCodeLifetimeMs: number;
  /** How long a device code waits for its approval (the real one: 15 minutes). */
  deviceCodeLifetimeMs: number;
  /** The `interval` the devicecode endpoint asks clients to poll at, in seconds (real: 5). */
  devicePollIntervalSeconds: number;
  /** Application ids the simulator knows; empty accepts any GUID, as a fresh registration would. */
  clientIds: string[];
}

export type GrantType = 'authorization_code' | 'refresh_token' | 'device_code';

export interface IdentityCounters {
  /** Successful token-endpoint grants, by type. */
  grants: Record<GrantType, number>;
  /** Token-endpoint answers with an error, by OAuth error code (authorization_pending included). */
  errors: Record<string, number>;
  authorizeRequests: number;
  deviceCodesIssued: number;
}

/** Every token the identity side handed out, for tests that look for them where they must not be. */
export interface IssuedSecrets {
  accessTokens: string[];
  refreshTokens: string[];
  idTokens: string[];
}

export interface DeviceCodeInfo {
  userCode: string;
  clientId: string;
  state: 'pending' | 'approved' | 'declined' | 'redeemed';
  userId: string | null;
  expired: boolean;
}
