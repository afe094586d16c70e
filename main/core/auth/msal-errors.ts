import {
  AuthError,
  ClientAuthErrorCodes,
  InteractionRequiredAuthError,
  ServerError,
} from '@azure/msal-node';
import { SignInRequiredError } from './token-provider.ts';

/** Microsoft's sign-in service could not be reached or answered with a temporary failure. */
export class SignInServiceUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInServiceUnavailableError';
  }
}

/** A sign-in that did not complete, in words for the person (never MSAL's raw text). */
export class SignInFailedError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'SignInFailedError';
    this.code = code;
  }
}

/** Server answers that only the person can fix, by signing in (again). */
const signInCodes = new Set([
  'invalid_grant',
  'interaction_required',
  'login_required',
  'consent_required',
  'bad_token',
]);
/** The app registration itself was refused: a wrong or deleted client id. */
const clientCodes = new Set(['invalid_client', 'unauthorized_client']);
const unavailableCodes = new Set(['temporarily_unavailable', 'server_error']);

export type MsalFailure = 'sign-in' | 'client' | 'unavailable' | 'cancelled' | 'other';

export function classifyMsalError(error: unknown): MsalFailure {
  if (error instanceof InteractionRequiredAuthError) return 'sign-in';
  if (!(error instanceof AuthError)) return 'other';
  const code = error.errorCode;
  if (code === ClientAuthErrorCodes.networkError) return 'unavailable';
  if (code === 'device_code_polling_cancelled' || code === 'access_denied') return 'cancelled';
  if (error instanceof ServerError) {
    if (clientCodes.has(code)) return 'client';
    if (signInCodes.has(code) || signInCodes.has(error.subError)) return 'sign-in';
    if (unavailableCodes.has(code) || (error.status ?? 0) >= 500 || error.status === 429) {
      return 'unavailable';
    }
  }
  return 'other';
}

export const signInAgainMessage = (who: string): string =>
  `Microsoft needs you to sign in again as ${who} (the sign-in expired or was revoked). ` +
  'Sign in again: uploads continue where they stopped.';

export const signedOutMessage = (who: string): string =>
  `${who} is signed out. Sign in to it again, or pick a task of another account.`;

export const clientRefusedMessage = (clientId: string): string =>
  `Microsoft refused taskdrop's app registration (client id ${clientId}). ` +
  'Check the client id in settings or TASKDROP_CLIENT_ID (see README, "Sign in with Microsoft").';

/**
 * An MSAL failure while getting a token for an account, as the engine understands it: a
 * SignInRequiredError when only the person can fix it, else an error without secrets in it.
 */
export function tokenFailure(
  error: unknown,
  context: { accountId: string; who: string; clientId: string },
): Error {
  switch (classifyMsalError(error)) {
    case 'sign-in':
      return new SignInRequiredError(context.accountId, signInAgainMessage(context.who));
    case 'client':
      return new SignInRequiredError(context.accountId, clientRefusedMessage(context.clientId));
    case 'unavailable':
      return new SignInServiceUnavailableError(
        'Cannot reach Microsoft sign-in right now; trying again later. Nothing is lost.',
      );
    case 'cancelled':
    case 'other':
      return new SignInFailedError(codeOf(error), `Microsoft sign-in failed (${codeOf(error)}).`);
  }
}

/** A failed interactive or device-code sign-in, in plain words. */
export function signInFailure(error: unknown, clientId: string): Error {
  switch (classifyMsalError(error)) {
    case 'cancelled':
      return new SignInFailedError('cancelled', 'Sign-in was cancelled.');
    case 'client':
      return new SignInFailedError('client', clientRefusedMessage(clientId));
    case 'unavailable':
      return new SignInServiceUnavailableError(
        'Cannot reach Microsoft sign-in. Check the connection and try again.',
      );
    case 'sign-in':
    case 'other':
      return new SignInFailedError(
        codeOf(error),
        `Sign-in did not complete (${codeOf(error)}). Try again.`,
      );
  }
}

/** MSAL's error code only: its messages can carry server text that is not ours to show. */
function codeOf(error: unknown): string {
  if (error instanceof AuthError) return error.errorCode || 'unknown';
  if (error instanceof Error) return error.name;
  return 'unknown';
}
