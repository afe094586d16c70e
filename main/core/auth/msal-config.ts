import { LogLevel, type Configuration, type ICachePlugin } from '@azure/msal-node';
import { authority, loginOrigin, ReroutedLoginNetwork } from './login-host.ts';

/** What taskdrop asks for: its To Do tasks, and a refresh token to keep asking silently. */
export const graphScopes = ['Tasks.ReadWrite'];
export const signInScopes = [...graphScopes, 'offline_access'];

export const clientIdVariable = 'TASKDROP_CLIENT_ID';

const loginHostName = new URL(loginOrigin).host;

/**
 * The login service's metadata for `/common`, as its discovery documents publish it. Handing it
 * to MSAL means no discovery request ever leaves: the only requests are sign-in's own.
 */
export const authorityMetadata = JSON.stringify({
  token_endpoint: `${authority}/oauth2/v2.0/token`,
  authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
  device_authorization_endpoint: `${authority}/oauth2/v2.0/devicecode`,
  end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
  jwks_uri: `${authority}/discovery/v2.0/keys`,
  issuer: `${loginOrigin}/{tenantid}/v2.0`,
});

export const cloudDiscoveryMetadata = JSON.stringify({
  tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
  'api-version': '1.1',
  metadata: [
    {
      preferred_network: loginHostName,
      preferred_cache: 'login.windows.net',
      aliases: [loginHostName, 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
    },
  ],
});

export interface MsalSetup {
  clientId: string;
  /** Keeps MSAL's cache between runs; without it, a sign-in lasts as long as the process. */
  cachePlugin?: ICachePlugin;
  /**
   * Where the login host's requests really go: the simulator's origin in tests and demo mode.
   * Absent: MSAL's own HTTP client talks to Microsoft.
   */
  loginServiceOrigin?: string;
  /** MSAL's diagnostics at warning level and above, with personal data (and tokens) left out. */
  log?: (message: string) => void;
}

export function msalConfiguration(setup: MsalSetup): Configuration {
  const { log } = setup;
  return {
    auth: {
      clientId: setup.clientId,
      authority,
      knownAuthorities: [loginHostName],
      authorityMetadata,
      cloudDiscoveryMetadata,
    },
    ...(setup.cachePlugin === undefined ? {} : { cache: { cachePlugin: setup.cachePlugin } }),
    system: {
      ...(setup.loginServiceOrigin === undefined
        ? {}
        : { networkClient: new ReroutedLoginNetwork(setup.loginServiceOrigin) }),
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (_level, message, containsPii) => {
          if (!containsPii) log?.(message);
        },
      },
    },
  };
}
