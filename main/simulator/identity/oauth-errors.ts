import { randomUUID } from 'node:crypto';

/** An OAuth error as the Microsoft identity platform words it: an error code and an AADSTS. */
export interface OAuthError {
  status: number;
  error: string;
  aadsts: number;
  description: string;
}

const oauthError = (
  error: string,
  aadsts: number,
  description: string,
  status = 400,
): OAuthError => ({
  status,
  error,
  aadsts,
  description,
});

export const oauthErrors = {
  missing: (parameter: string) =>
    oauthError(
      'invalid_request',
      900144,
      `The request body must contain the following parameter: '${parameter}'.`,
    ),
  unknownClient: (clientId: string) =>
    oauthError(
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory 'Microsoft'.`,
    ),
  unsupportedGrant: (grant: string) =>
    oauthError(
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grant}'.`,
    ),
  codeExpired: () =>
    oauthError(
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
    ),
  codeRedeemed: () =>
    oauthError(
      'invalid_grant',
      54005,
      'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
    ),
  badCode: () =>
    oauthError('invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.'),
  wrongClient: () =>
    oauthError('invalid_grant', 70000, 'The provided grant was issued to another application.'),
  redirectMismatch: () =>
    oauthError(
      'invalid_grant',
      70000,
      'The redirect URI does not match the one used in the authorization request.',
    ),
  verifierMismatch: () =>
    oauthError(
      'invalid_grant',
      501481,
      'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
    ),
  refreshRevoked: () =>
    oauthError(
      'invalid_grant',
      50173,
      'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.',
    ),
  authorizationPending: () =>
    oauthError(
      'authorization_pending',
      70016,
      'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
    ),
  deviceCodeExpired: () => oauthError('expired_token', 70019, 'Verification code expired.'),
  deviceDeclined: () =>
    oauthError('authorization_declined', 70000, 'The user declined the device code sign-in.'),
};

/** The JSON body of an error answer from the token or devicecode endpoint, as AAD sends it. */
export function oauthErrorBody(
  failure: OAuthError,
  correlationId: string | null,
  nowMs: number,
): Record<string, unknown> {
  const traceId = randomUUID();
  const correlation = correlationId ?? randomUUID();
  const timestamp = new Date(nowMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return {
    error: failure.error,
    error_description: `AADSTS${failure.aadsts}: ${failure.description} Trace ID: ${traceId} Correlation ID: ${correlation} Timestamp: ${timestamp}`,
    error_codes: [failure.aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlation,
    error_uri: `https://login.microsoftonline.com/error?code=${failure.aadsts}`,
  };
}
