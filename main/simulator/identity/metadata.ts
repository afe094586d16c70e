import { loginHost } from './claims.ts';

/**
 * The discovery documents of the Microsoft identity platform, as the real endpoints serve them
 * for `https://login.microsoftonline.com/{tenant}`. They name the public host: a client reaches
 * the simulator by sending that host's requests here, not by being told another host.
 */
export function openIdConfiguration(tenant: string): Record<string, unknown> {
  const base = `https://${loginHost}/${tenant}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: [
      'client_secret_post',
      'private_key_jwt',
      'client_secret_basic',
    ],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `https://${loginHost}/{tenantid}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'nbf',
      'name',
      'nonce',
      'oid',
      'preferred_username',
      'tid',
      'ver',
    ],
    tenant_region_scope: null,
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  };
}

/** `GET /common/discovery/instance`: the aliases of the public cloud's login host. */
export function instanceDiscovery(): Record<string, unknown> {
  return {
    tenant_discovery_endpoint: `https://${loginHost}/common/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [
      {
        preferred_network: loginHost,
        preferred_cache: 'login.windows.net',
        aliases: [loginHost, 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
      },
    ],
  };
}
