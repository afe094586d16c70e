import type { AccountView, AppInfo } from '../../preload/shared/contract.ts';

/**
 * Why this window cannot sign in or out, in words for the person; null when it can. Demo and
 * token accounts have no Microsoft sign-in; demo mode has no app registration to sign in with.
 */
export function signInBlocked(info: AppInfo | null, account: AccountView | null): string | null {
  if (account?.kind === 'token') {
    return 'This account uses the access token in TASKDROP_ACCESS_TOKEN: to change it, restart taskdrop with another token.';
  }
  if (account?.kind === 'demo' || info?.canSignIn === false) {
    return 'Demo mode has no Microsoft app registration (client ID) to sign in with: see “Sign in with Microsoft” in the README.';
  }
  return null;
}
